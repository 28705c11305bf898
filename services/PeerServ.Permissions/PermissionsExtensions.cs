using MassTransit;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using PeerServ.Auth.Gateway;
using PeerServ.Permissions.Push;
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

    /// <summary>
    /// FCM push for new messages in the push boxes, when "Push" configures a service-account key (validated at start):
    /// the credentials and the FCM client with its retries. Pair it with <see cref="AddPushConsumers"/> on the bus.
    /// </summary>
    public static IServiceCollection AddPush(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<PushOptions>(PushOptions.SectionName);
        services.AddSingleton<IValidateOptions<PushOptions>, FcmCredentials.Validation>();
        if (!PushOptions.IsConfigured(configuration))
        {
            return services;
        }

        services.AddSingleton(sp => FcmCredentials.TryLoad(sp.GetRequiredService<IOptions<PushOptions>>().Value).Credentials
            ?? throw new InvalidOperationException("The push credentials failed validation."));
        services.AddHttpClient<FcmClient>((sp, http) =>
            {
                http.BaseAddress = sp.GetRequiredService<IOptions<PushOptions>>().Value.FcmUrl;
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline times each attempt
            })
            .AddResilienceHandler("fcm", (pipeline, context) =>
            {
                var push = context.ServiceProvider.GetRequiredService<IOptions<PushOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = push.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(push.RetryDelayMilliseconds),
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(push.TimeoutSeconds));
            });
        return services;
    }

    /// <summary>The push consumer on the service's own durable queue (one replica takes each event), when push is configured.</summary>
    public static void AddPushConsumers(this IBusRegistrationConfigurator bus, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (PushOptions.IsConfigured(configuration))
        {
            bus.AddConsumer<PushConsumer, PushConsumerDefinition>();
        }
    }

    /// <summary>The permissions deployable: MongoDB stores, RabbitMQ bus (the push queue), trust in the gateway's identity assertion.</summary>
    public static WebApplicationBuilder AddPermissionsService(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPermissions()
            .AddPush(builder.Configuration)
            .AddMongoPermissionStore()
            .AddMongoDeviceStore()
            .AddMongoMessageStore()
            .AddGatewayAssertion()
            .AddPeerServRabbitMqBus("permissions", bus => bus.AddPushConsumers(builder.Configuration));
        return builder;
    }
}
