using MassTransit;
using PeerServ.MailboxQuery.Features;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.MailboxQuery;

public static class MailboxQueryExtensions
{
    /// <summary>What /listMessages needs in any host: relay limits and the long-poll signals.</summary>
    public static IServiceCollection AddMailboxQuery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRelayOptions(configuration);
        services.AddSingleton<MailboxSignals>();
        return services;
    }

    /// <summary>MessageSent wakes waiting lists on every replica: a temporary (auto-delete) endpoint per instance.</summary>
    public static void AddMailboxQueryConsumers(this IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<MessageSentConsumer>().Endpoint(e =>
        {
            e.Temporary = true;
            e.InstanceId = Guid.NewGuid().ToString("N")[..12];
        });
    }

    public static WebApplicationBuilder AddMailboxQueryService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMailboxQuery(builder.Configuration);
        builder.Services.AddMongoMessageStore(builder.Configuration);
        builder.Services.AddGatewayTrust(builder.Configuration);
        builder.AddPeerServBus("mailbox-query", bus => bus.AddMailboxQueryConsumers());
        return builder;
    }
}
