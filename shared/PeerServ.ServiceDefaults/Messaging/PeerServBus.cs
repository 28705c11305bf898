using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using MassTransit;
using MassTransit.Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PeerServ.Relay.Options;

namespace PeerServ.ServiceDefaults.Messaging;

/// <summary>Section "ConnectionStrings": the broker of the distributed services.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "ConnectionStrings";

    [Required(ErrorMessage = "is required, e.g. amqp://user:password@rabbitmq:5672/")]
    public string RabbitMq { get; set; } = "";
}

/// <summary>
/// MassTransit for the relay: endpoint names in kebab-case prefixed by the service, so that every service owns its
/// queues; usage telemetry off. Consumers are registered by the caller.
/// </summary>
public static class PeerServBus
{
    // The fan-out endpoint of each bus (one per host; a test process may run several hosts on one broker).
    private static readonly ConditionalWeakTable<IBusRegistrationConfigurator, string> InstanceEndpoints = new();

    /// <summary>
    /// A consumer that every replica must run on every message (fan-out, not a shared work queue): on the host's
    /// one temporary, auto-delete endpoint ("{service}-instance-" and a random id). Every per-instance consumer of a
    /// host shares it, so an event is received, deserialized and dispatched once per host however many of them
    /// consume it. On the standalone host's mediator (<see cref="AddPeerServInProcessEvents"/>) it is a plain consumer.
    /// </summary>
    public static void AddPerInstanceConsumer<TConsumer>(this IRegistrationConfigurator consumers)
        where TConsumer : class, IConsumer
    {
        ArgumentNullException.ThrowIfNull(consumers);
        if (consumers is not IBusRegistrationConfigurator bus)
        {
            // The mediator of the standalone host: one process is the one instance, there are no endpoints.
            consumers.AddConsumer<TConsumer>();
            return;
        }

        bus.AddConsumer<TConsumer>().Endpoint(e =>
        {
            e.Name = InstanceEndpoints.TryGetValue(bus, out var name) ? name
                : throw new InvalidOperationException("Per-instance consumers are registered in the consumers callback of AddPeerServRabbitMqBus or AddPeerServInMemoryBus.");
            e.Temporary = true;
        });
    }

    /// <summary>RabbitMQ at "ConnectionStrings:RabbitMq" (required, validated at start-up): the distributed services.</summary>
    public static IServiceCollection AddPeerServRabbitMqBus(this IServiceCollection services, string service, Action<IBusRegistrationConfigurator>? consumers = null)
    {
        services.AddValidatedOptions<BrokerOptions>(BrokerOptions.SectionName)
            .Validate(o => string.IsNullOrEmpty(o.RabbitMq) || (Uri.TryCreate(o.RabbitMq, UriKind.Absolute, out var url) && url.Scheme is "amqp" or "amqps"),
                "ConnectionStrings:RabbitMq (ConnectionStrings__RabbitMq) must be an amqp:// or amqps:// URL.");
        return services.AddPeerServBus(service, consumers, x => x.UsingRabbitMq((context, cfg) =>
        {
            cfg.Host(new Uri(context.GetRequiredService<IOptions<BrokerOptions>>().Value.RabbitMq));
            cfg.ConfigureEndpoints(context);
        }));
    }

    /// <summary>
    /// MassTransit's in-memory transport: the standalone host, one process. The host's start waits for the bus (no
    /// broker to wait for, so it is quick): a host stopped right after it started then never stops endpoints that are
    /// still starting, which MassTransit 8.5 answers with a NullReferenceException.
    /// </summary>
    public static IServiceCollection AddPeerServInMemoryBus(this IServiceCollection services, string service, Action<IBusRegistrationConfigurator>? consumers = null)
    {
        services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        return services.AddPeerServBus(service, consumers, x => x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context)));
    }

    /// <summary>
    /// The standalone host's events: published to <paramref name="inProcess"/> consumers through MassTransit's
    /// mediator (handed by reference, run by the publisher; docs/benchmarks.md, "Where the milliseconds go"), and to
    /// the <paramref name="queued"/> ones, when there are any, through the in-memory bus.
    /// </summary>
    public static IServiceCollection AddPeerServInProcessEvents(this IServiceCollection services, string service, Action<IRegistrationConfigurator> inProcess, Action<IBusRegistrationConfigurator>? queued = null)
    {
        ArgumentNullException.ThrowIfNull(inProcess);
        services.AddMediator(x => inProcess(x));
        if (queued is null)
        {
            return services.AddSingleton<IRelayEvents>(sp => new InProcessRelayEvents(sp.GetRequiredService<IMediator>(), null));
        }

        services.AddPeerServInMemoryBus(service, queued);
        return services.Replace(ServiceDescriptor.Singleton<IRelayEvents>(sp => new InProcessRelayEvents(sp.GetRequiredService<IMediator>(), sp.GetRequiredService<IBus>())));
    }

    private static IServiceCollection AddPeerServBus(this IServiceCollection services, string service, Action<IBusRegistrationConfigurator>? consumers, Action<IBusRegistrationConfigurator> transport) =>
        services.AddSingleton<IRelayEvents, BusRelayEvents>().AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(service, false));
            // MassTransit 8.4+ reports usage to usage-tracking.masstransit.io a few minutes after start: a relay never calls out.
            x.DisableUsageTelemetry();
            InstanceEndpoints.AddOrUpdate(x, $"{service}-instance-{Guid.NewGuid().ToString("N")[..12]}");
            consumers?.Invoke(x);
            transport(x);
        });
}
