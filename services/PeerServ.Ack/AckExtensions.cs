using PeerServ.Ack.Features;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Ack;

public static class AckExtensions
{
    /// <summary>What /acknowledgeMessage needs in any host, plus the background retention sweep.</summary>
    public static IServiceCollection AddAck(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRelayOptions(configuration);
        services.AddHostedService<RetentionSweeper>();
        return services;
    }

    public static WebApplicationBuilder AddAckService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAck(builder.Configuration);
        builder.Services.AddMongoMessageStore(builder.Configuration);
        builder.Services.AddGatewayTrust(builder.Configuration);
        builder.AddPeerServBus("ack", _ => { });
        return builder;
    }
}
