using PeerServ.Auth.Gateway;
using PeerServ.Ingest.Events;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Ingest;

public static class IngestExtensions
{
    /// <summary>The /sendMessage feature in any host: the MessageSent outbox (the store, the bus and the relay options come from the host).</summary>
    public static IServiceCollection AddSendMessage(this IServiceCollection services)
    {
        services.AddSingleton<MessageSentOutbox>();
        services.AddSingleton<Apis.MessageIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageSentOutbox>());
        return services;
    }

    /// <summary>The ingest deployable: MongoDB store, RabbitMQ bus, trust in the gateway's identity assertion.</summary>
    public static WebApplicationBuilder AddIngestService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSendMessage()
            .AddMongoMessageStore()
            .AddGatewayAssertion()
            .AddPeerServRabbitMqBus("ingest");
        return builder;
    }
}
