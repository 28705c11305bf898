# One recipe, one target per deployable:
#   docker build --target gateway -t peerserv-gateway .        (and ingest, mailbox-query, ack, permissions, live, standalone)
# The build stage publishes all seven at once, so the second target reuses it from the build cache.
# Base images are build arguments: the official .NET images by default (glibc, Ubuntu 24.04); eng/containers.sh
# builds Debian 12 stand-ins from the machine's own .NET where no registry is reachable (see README, "Containers").
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY shared/Directory.Build.props shared/
COPY shared/PeerServ.Relay/PeerServ.Relay.csproj shared/PeerServ.Relay/
COPY shared/PeerServ.Auth/PeerServ.Auth.csproj shared/PeerServ.Auth/
COPY shared/PeerServ.Contracts/PeerServ.Contracts.csproj shared/PeerServ.Contracts/
COPY shared/PeerServ.ServiceDefaults/PeerServ.ServiceDefaults.csproj shared/PeerServ.ServiceDefaults/
COPY shared/PeerServ.Storage/PeerServ.Storage.csproj shared/PeerServ.Storage/
COPY services/PeerServ.Ingest/PeerServ.Ingest.csproj services/PeerServ.Ingest/
COPY services/PeerServ.MailboxQuery/PeerServ.MailboxQuery.csproj services/PeerServ.MailboxQuery/
COPY services/PeerServ.Ack/PeerServ.Ack.csproj services/PeerServ.Ack/
COPY services/PeerServ.Permissions/PeerServ.Permissions.csproj services/PeerServ.Permissions/
COPY services/PeerServ.Live/PeerServ.Live.csproj services/PeerServ.Live/
COPY services/PeerServ.Standalone/PeerServ.Standalone.csproj services/PeerServ.Standalone/
COPY gateway/PeerServ.Gateway/PeerServ.Gateway.csproj gateway/PeerServ.Gateway/
COPY tools/PeerServ.HealthProbe/PeerServ.HealthProbe.csproj tools/PeerServ.HealthProbe/
# Restore only on a project-file change; sources come after.
RUN for p in services/PeerServ.Standalone gateway/PeerServ.Gateway tools/PeerServ.HealthProbe; do dotnet restore "$p" || exit 1; done
COPY shared/ shared/
COPY services/ services/
COPY gateway/ gateway/
COPY tools/PeerServ.HealthProbe/ tools/PeerServ.HealthProbe/
RUN for p in gateway/PeerServ.Gateway services/PeerServ.Ingest services/PeerServ.MailboxQuery services/PeerServ.Ack \
             services/PeerServ.Permissions services/PeerServ.Live services/PeerServ.Standalone tools/PeerServ.HealthProbe; do \
      dotnet publish "$p" -c Release --no-restore -p:UseAppHost=false -o "/out/$(basename "$p")" || exit 1; \
    done \
 && mkdir -p /out/data

# Non-root user `app` (uid 1654, as in the official images), port 8080 on every interface, metrics on 9464.
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /out/PeerServ.HealthProbe /probe
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Management__Url=http://0.0.0.0:9464 \
    DOTNET_gcServer=0 \
    MASSTRANSIT_USAGE_TELEMETRY=false
USER 1654:1654
EXPOSE 8080 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["dotnet", "/probe/PeerServ.HealthProbe.dll"]

# Exec-form entry points: no shell between the container and the process, so every environment variable arrives
# (a shell drops names that are not identifiers, such as ReverseProxy__Clusters__mailbox-query__…).
FROM runtime AS gateway
COPY --from=build /out/PeerServ.Gateway .
ENTRYPOINT ["dotnet", "/app/PeerServ.Gateway.dll"]

FROM runtime AS ingest
COPY --from=build /out/PeerServ.Ingest .
ENTRYPOINT ["dotnet", "/app/PeerServ.Ingest.dll"]

FROM runtime AS mailbox-query
COPY --from=build /out/PeerServ.MailboxQuery .
ENTRYPOINT ["dotnet", "/app/PeerServ.MailboxQuery.dll"]

FROM runtime AS ack
COPY --from=build /out/PeerServ.Ack .
ENTRYPOINT ["dotnet", "/app/PeerServ.Ack.dll"]

FROM runtime AS permissions
COPY --from=build /out/PeerServ.Permissions .
ENTRYPOINT ["dotnet", "/app/PeerServ.Permissions.dll"]

FROM runtime AS live
COPY --from=build /out/PeerServ.Live .
ENTRYPOINT ["dotnet", "/app/PeerServ.Live.dll"]

FROM runtime AS standalone
COPY --from=build /out/PeerServ.Standalone .
COPY --from=build --chown=1654:1654 /out/data /data
ENV Standalone__DataDirectory=/data
VOLUME /data
ENTRYPOINT ["dotnet", "/app/PeerServ.Standalone.dll"]
