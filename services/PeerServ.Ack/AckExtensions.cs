using PeerServ.Ack.Background;
using PeerServ.Auth.Gateway;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Ack;

public static class AckExtensions
{
    /// <summary>The /acknowledgeMessage feature in any host, plus the background retention sweep (the store, the bus and the relay options come from the host).</summary>
    public static IServiceCollection AddAcknowledgeMessage(this IServiceCollection services)
    {
        services.AddHostedService<RetentionSweeper>();
        return services;
    }

    /// <summary>The ack deployable: MongoDB store, RabbitMQ bus, trust in the gateway's identity assertion.</summary>
    public static WebApplicationBuilder AddAckService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAcknowledgeMessage()
            .AddMongoMessageStore()
            .AddGatewayAssertion()
            .AddPeerServRabbitMqBus("ack");
        return builder;
    }
}
