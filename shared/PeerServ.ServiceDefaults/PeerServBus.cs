using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PeerServ.ServiceDefaults;

public static class PeerServBus
{
    /// <summary>
    /// MassTransit over RabbitMQ ("ConnectionStrings:RabbitMq", required) or, for the standalone host, in memory.
    /// Endpoint names are kebab-case and prefixed with <paramref name="service"/>, so every service owns its queues.
    /// </summary>
    public static IHostApplicationBuilder AddPeerServBus(this IHostApplicationBuilder builder, string service, Action<IBusRegistrationConfigurator> consumers, bool inMemory = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(consumers);
        var rabbit = builder.Configuration.GetConnectionString("RabbitMq");
        if (!inMemory && string.IsNullOrWhiteSpace(rabbit))
        {
            throw new InvalidOperationException("ConnectionStrings:RabbitMq is required (set ConnectionStrings__RabbitMq), e.g. amqp://guest:guest@127.0.0.1:5672/");
        }

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service, false));
            // MassTransit 8.4+ reports usage to usage-tracking.masstransit.io a few minutes after start: a relay never calls out.
            x.DisableUsageTelemetry();
            consumers(x);
            if (inMemory)
            {
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
            else
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(rabbit!));
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        return builder;
    }
}
