using PeerServ.Auth.Gateway;
using PeerServ.Ingest.Events;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Ingest;

public static class IngestExtensions
{
    /// <summary>The /sendMessage feature in any host: the permission check and the MessageSent outbox (the stores, the bus and the relay options come from the host).</summary>
    public static IServiceCollection AddSendMessage(this IServiceCollection services)
    {
        services.AddRecipientFees();
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
            .AddMongoPermissionStore()
            .AddGatewayAssertion()
            .AddPeerServRabbitMqBus("ingest");
        return builder;
    }
}
