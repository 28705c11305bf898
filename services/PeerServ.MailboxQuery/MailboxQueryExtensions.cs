using MassTransit;
using PeerServ.Auth.Gateway;
using PeerServ.MailboxQuery.Events;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.MailboxQuery;

public static class MailboxQueryExtensions
{
    /// <summary>The /listMessages feature in any host: the long-poll signals (the store, the bus and the relay options come from the host).</summary>
    public static IServiceCollection AddListMessages(this IServiceCollection services)
    {
        services.AddSingleton<MailboxSignals>();
        return services;
    }

    /// <summary>MessageSent wakes waiting lists on every replica: a temporary (auto-delete) endpoint per instance.</summary>
    public static void AddListMessagesConsumers(this IRegistrationConfigurator bus)
    {
        bus.AddPerInstanceConsumer<MessageSentConsumer>();
    }

    /// <summary>The mailbox-query deployable: MongoDB store, RabbitMQ bus, trust in the gateway's identity assertion.</summary>
    public static WebApplicationBuilder AddMailboxQueryService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddListMessages()
            .AddMongoMessageStore()
            .AddGatewayAssertion()
            .AddPeerServRabbitMqBus("mailbox-query", bus => bus.AddListMessagesConsumers());
        return builder;
    }
}
