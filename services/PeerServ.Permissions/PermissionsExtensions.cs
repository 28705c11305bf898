using PeerServ.Auth.Gateway;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Permissions;

public static class PermissionsExtensions
{
    /// <summary>The /permissions/* feature in any host: the fee lookup and its options (the permission store comes from the host).</summary>
    public static IServiceCollection AddPermissions(this IServiceCollection services)
    {
        services.AddRecipientFees();
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
