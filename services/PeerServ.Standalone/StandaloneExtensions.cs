using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PeerServ.Ack;
using PeerServ.Auth.Server;
using PeerServ.Ingest;
using PeerServ.MailboxQuery;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Standalone;

/// <summary>Names this assembly for WebApplicationFactory (every service assembly has a public Program).</summary>
public sealed class StandaloneHost
{
    private StandaloneHost()
    {
    }
}

internal static partial class StandaloneExtensions
{
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>
    /// Data directory from "Standalone:DataDirectory" (default peerserv-data/ under the working directory) holding
    /// relay.db and the server key; http://localhost:8080 unless --urls / ASPNETCORE_URLS or ASPNETCORE_HTTP_PORTS /
    /// HTTP_PORTS (every interface, as in the container image) say otherwise.
    /// </summary>
    public static WebApplicationBuilder AddStandalone(this WebApplicationBuilder builder)
    {
        string?[] listeners = [builder.Configuration[WebHostDefaults.ServerUrlsKey], builder.Configuration[WebHostDefaults.HttpPortsKey], builder.Configuration[WebHostDefaults.HttpsPortsKey]];
        if (listeners.All(string.IsNullOrEmpty))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var dataDirectory = Path.GetFullPath(builder.Configuration["Standalone:DataDirectory"] is { Length: > 0 } dir ? dir : "peerserv-data");
        if (string.IsNullOrEmpty(builder.Configuration["Auth:ServerPrivateKey"]))
        {
            builder.Configuration["Auth:ServerPrivateKey"] = ServerKeyFile.LoadOrCreate(dataDirectory).ToHex();
        }

        var relay = builder.Configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>() ?? new RelayOptions();
        builder.Services.AddPeerServAuth(builder.Configuration, auth => auth.MaxRequestBodyBytes = relay.MaxRequestBytes);
        builder.Services.AddSqliteMessageStore(Path.Combine(dataDirectory, "relay.db"));
        builder.Services.AddIngest(builder.Configuration).AddMailboxQuery(builder.Configuration).AddAck(builder.Configuration);
        builder.AddPeerServBus("standalone", bus => bus.AddMailboxQueryConsumers(), inMemory: true);
        return builder;
    }

    /// <summary>Says where the relay listens and which key it signs with, once it does.</summary>
    public static WebApplication LogStartup(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var management = app.Configuration["Management:Url"] ?? "http://localhost:9464";
            var urls = string.Join(", ", addresses.Where(a => !string.Equals(a.TrimEnd('/'), management.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)));
            var key = app.Services.GetRequiredService<ServerIdentity>().IdentityKey.Hex;
            LogListening(app.Logger, urls, key);
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PeerServ relay listening on {Urls} with server identity key {ServerIdentityKey}")]
    private static partial void LogListening(ILogger logger, string urls, string serverIdentityKey);
}
