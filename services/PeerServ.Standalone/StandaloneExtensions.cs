using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using PeerServ.Ack;
using PeerServ.Auth.Server;
using PeerServ.Ingest;
using PeerServ.Live;
using PeerServ.Live.Live;
using PeerServ.MailboxQuery;
using PeerServ.Permissions;
using PeerServ.Permissions.Push;
using PeerServ.Relay;
using PeerServ.Relay.Options;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.ServiceDefaults.OpenApi;
using PeerServ.Storage;

namespace PeerServ.Standalone;

internal static partial class StandaloneExtensions
{
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>The defaults of the one-process host: http://localhost:8080 and /metrics on it (no second port to collide with another host's).</summary>
    public static void Defaults(PeerServ.ServiceDefaults.Hosting.HostingOptions hosting)
    {
        ArgumentNullException.ThrowIfNull(hosting);
        hosting.DefaultUrl = DefaultUrl;
        hosting.ManagementUrl = null;
    }

    /// <summary>
    /// Auth (both protocols), the relay features (send, list, acknowledge, permissions, push) and live delivery on an SQLite file, events through the mediator (push on the in-memory bus), and the API docs. The
    /// server key is Auth:ServerPrivateKey, else the key file in the data directory, created on first start.
    /// </summary>
    public static WebApplicationBuilder AddStandalone(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<StandaloneOptions>(StandaloneOptions.SectionName);
        services.AddPeerServAuth();
        services.AddOptions<PeerServAuthOptions>()
            .Configure<IOptions<RelayOptions>>((auth, relay) => auth.MaxRequestBodyBytes = relay.Value.MaxRequestBytes)
            .PostConfigure<IOptions<StandaloneOptions>>((auth, standalone) =>
            {
                if (string.IsNullOrEmpty(auth.ServerPrivateKey))
                {
                    auth.ServerPrivateKey = ServerKeyFile.LoadOrCreate(standalone.Value.DataPath).ToHex();
                }
            });
        services.AddSqliteStorage(sp => Path.Combine(sp.GetRequiredService<IOptions<StandaloneOptions>>().Value.DataPath, "relay.db"));
        services.AddSendMessage().AddListMessages().AddAcknowledgeMessage().AddPermissions().AddPush(builder.Configuration);
        services.AddLive().AddSingleton<ILiveSendPipeline, InProcessSendPipeline>();
        // Waking lists and live delivery run in process on the event itself; push, when configured, keeps its queue and retries.
        services.AddPeerServInProcessEvents(
            "standalone",
            inProcess =>
            {
                inProcess.AddListMessagesConsumers();
                inProcess.AddLiveConsumers();
            },
            PushOptions.IsConfigured(builder.Configuration) ? bus => bus.AddPushConsumers(builder.Configuration) : null);
        services.AddRelayApiDocument();
        return builder;
    }

    /// <summary>Once the relay listens: where, with which server key, on which data, and where its docs are.</summary>
    public static WebApplication LogStartup(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var urls = string.Join(", ", addresses);
            var docs = LocalUrl(addresses.FirstOrDefault() ?? DefaultUrl) + RelayApiDocs.DocsPath;
            var key = app.Services.GetRequiredService<ServerIdentity>().IdentityKey.Hex;
            var data = app.Services.GetRequiredService<IOptions<StandaloneOptions>>().Value.DataPath;
            LogListening(app.Logger, urls, key, data, docs);
        });
        return app;
    }

    /// <summary>A listening address as a URL to open on this machine (a wildcard host is reachable as localhost).</summary>
    private static string LocalUrl(string address)
    {
        var uri = new UriBuilder(address.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "localhost";
        }

        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "PeerServ relay listening on {Urls} with server identity key {ServerIdentityKey}; data in {DataDirectory}; API docs at {DocsUrl}")]
    private static partial void LogListening(ILogger logger, string urls, string serverIdentityKey, string dataDirectory, string docsUrl);
}
