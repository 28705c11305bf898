using MassTransit;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using PeerServ.Live.EngineIO;
using PeerServ.Live.Live;
using PeerServ.Relay;
using PeerServ.Relay.Options;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Live;

public static class LiveExtensions
{
    /// <summary>
    /// Configuration defaults of a host that holds live sockets: room for Live:MaxConnections (20,000) sockets and 1,000
    /// more connections (polling, the HTTP API, health probes) under Kestrel's connection limit, which is 10,000 elsewhere.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ConfigurationDefaults { get; } = new Dictionary<string, string?>
    {
        ["Kestrel:Limits:MaxConcurrentConnections"] = "21000",
    };

    /// <summary>
    /// Live delivery in any host: the /socket.io/ endpoint, the connections, their heartbeat. The host provides the
    /// server identity and limits (AddPeerServAuth), the store, the bus (with <see cref="AddLiveConsumers"/>) and the
    /// <see cref="ILiveSendPipeline"/>.
    /// </summary>
    public static IServiceCollection AddLive(this IServiceCollection services)
    {
        services.AddValidatedOptions<LiveOptions>(LiveOptions.SectionName)
            .Validate(o => o.PingTimeout < o.PingInterval * 4, "Live:PingTimeout (Live__PingTimeout) must be shorter than four ping intervals.");
        services.AddSingleton<LiveHub>();
        services.AddSingleton<LiveApplication>();
        services.AddSingleton<IEngineHandlerFactory>(sp => sp.GetRequiredService<LiveApplication>());
        services.AddEngineServer();
        services.AddHostedService<LiveHeartbeat>();
        return services;
    }

    /// <summary>
    /// The Engine.IO server and, on every Kestrel endpoint, the connection middleware that serves a connection opening
    /// with an Engine.IO WebSocket upgrade off the request pipeline (<see cref="EngineConnections"/>).
    /// </summary>
    internal static IServiceCollection AddEngineServer(this IServiceCollection services)
    {
        services.AddSingleton<EngineServer>();
        services.AddSingleton<EngineConnections>();
        services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((kestrel, provider) => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(next => connection => provider.GetRequiredService<EngineConnections>().OnConnectionAsync(connection, next))));
        return services;
    }

    /// <summary>Every live replica sees every MessageSent: a temporary (auto-delete) endpoint per instance.</summary>
    public static void AddLiveConsumers(this IRegistrationConfigurator bus)
    {
        bus.AddPerInstanceConsumer<LiveDeliveryConsumer>();
    }

    /// <summary>The live deployable's transport: the client's address behind a configured proxy, then WebSockets.</summary>
    public static IApplicationBuilder UseLiveTransport(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetRequiredService<IOptions<ForwardedNetworkOptions>>().Value.Enabled)
        {
            app.UseForwardedHeaders();
        }

        return app.UseLiveWebSockets();
    }

    /// <summary>WebSockets for /socket.io/, without ASP.NET Core's own keep-alive pings (Engine.IO has its heartbeat).</summary>
    public static IApplicationBuilder UseLiveWebSockets(this IApplicationBuilder app) =>
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });

    /// <summary>Serves Engine.IO / Socket.IO at /socket.io/ (WebSockets included), outside the HTTP authentication.</summary>
    public static WebApplication MapLive(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Map(RelayPaths.SocketIO + "/{**rest}", (HttpContext context, EngineServer engine) => engine.HandleAsync(context)).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The live deployable: its sockets' BRC-103 sessions under the relay's server key, the MongoDB store (to read what
    /// it pushes), RabbitMQ (MessageSent), socket sends to ingest with the gateway's assertion.
    /// </summary>
    public static WebApplicationBuilder AddLiveService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPeerServAuth();
        services.AddLive();
        services.AddOptions<LiveOptions>()
            .Validate(o => Uri.TryCreate(o.IngestUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "Live:IngestUrl (Live__IngestUrl) must be ingest's absolute http(s) URL, e.g. http://ingest:8080.");
        services.AddGatewayAssertion();
        services.AddHttpClient<ILiveSendPipeline, IngestSendPipeline>();
        services.AddMongoMessageStore();
        services.AddPeerServRabbitMqBus("live", bus => bus.AddLiveConsumers());
        return builder;
    }
}
