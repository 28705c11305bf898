using PeerServ.Auth.Gateway;
using PeerServ.Relay;
using PeerServ.Relay.Options;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Permissions;

public static class PermissionsExtensions
{
    /// <summary>The /permissions/* and device features in any host: the fee lookup and the options (the stores come from the host).</summary>
    public static IServiceCollection AddPermissions(this IServiceCollection services)
    {
        services.AddRecipientFees();
        services.AddValidatedOptions<DeviceOptions>(DeviceOptions.SectionName);
        return services;
    }

    /// <summary>The permissions deployable: MongoDB stores, RabbitMQ bus, trust in the gateway's identity assertion.</summary>
    public static WebApplicationBuilder AddPermissionsService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPermissions()
            .AddMongoPermissionStore()
            .AddMongoDeviceStore()
            .AddMongoMessageStore()
            .AddGatewayAssertion()
            .AddPeerServRabbitMqBus("permissions");
        return builder;
    }
}
