using PeerServ.Ingest.Features;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Ingest;

public static class IngestExtensions
{
    /// <summary>What /sendMessage needs in any host: relay limits and the MessageSent outbox (the store and bus come from the host).</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRelayOptions(configuration);
        services.AddSingleton<MessageSentOutbox>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageSentOutbox>());
        return services;
    }

    /// <summary>The ingest deployable: MongoDB store, RabbitMQ bus, trust in the gateway's identity assertion.</summary>
    public static WebApplicationBuilder AddIngestService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddIngest(builder.Configuration);
        builder.Services.AddMongoMessageStore(builder.Configuration);
        builder.Services.AddGatewayTrust(builder.Configuration);
        builder.AddPeerServBus("ingest", _ => { });
        return builder;
    }
}
