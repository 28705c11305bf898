# One image recipe for every deployable: docker build --build-arg PROJECT=<path> .
#   gateway/PeerServ.Gateway · services/PeerServ.Ingest · services/PeerServ.MailboxQuery · services/PeerServ.Ack
#   services/PeerServ.Standalone
ARG PROJECT=gateway/PeerServ.Gateway

FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine AS build
ARG PROJECT
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY shared/ shared/
COPY services/ services/
COPY gateway/ gateway/
RUN dotnet publish "$PROJECT" -c Release -o /app -p:UseAppHost=false \
 && echo "$(basename "$PROJECT").dll" > /app/entrypoint.txt

# Small runtime image (musl; libsecp256k1 and SQLite ship musl builds), non-root user `app` (uid 1654).
FROM mcr.microsoft.com/dotnet/aspnet:10.0-alpine AS final
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Management__Url=http://0.0.0.0:9464 \
    Standalone__DataDirectory=/data \
    DOTNET_gcServer=0
RUN mkdir -p /data && chown app:app /data
USER app
EXPOSE 8080 9464
VOLUME /data
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD wget -qO- http://127.0.0.1:8080/health/live > /dev/null || exit 1
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$(cat /app/entrypoint.txt)\""]
