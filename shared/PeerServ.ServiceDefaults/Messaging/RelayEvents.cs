using MassTransit;
using MassTransit.Mediator;

namespace PeerServ.ServiceDefaults.Messaging;

/// <summary>
/// Where a service publishes the relay's events (MessageSent, MessagesAcknowledged): the broker for the distributed
/// services; for the standalone host, its consumers in the same process, handed the event itself.
/// </summary>
public interface IRelayEvents
{
    /// <summary>Publishes <paramref name="events"/>; throws when they were not all taken (the caller keeps them to publish again).</summary>
    Task PublishBatchAsync<T>(IReadOnlyList<T> events, CancellationToken cancellationToken)
        where T : class;

    /// <summary>Publishes one event; throws when it was not taken.</summary>
    Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class;
}

/// <summary>The distributed services: every event goes to the broker (MassTransit's bus, serialized).</summary>
internal sealed class BusRelayEvents(IBus bus) : IRelayEvents
{
    public Task PublishBatchAsync<T>(IReadOnlyList<T> events, CancellationToken cancellationToken)
        where T : class => bus.PublishBatch(events, cancellationToken);

    public Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class => bus.Publish(message, cancellationToken);
}

/// <summary>
/// The standalone host: each event is handed by reference to the in-process consumers through MassTransit's mediator
/// — no serialization, no queue, no thread hop; the publish returns once they ran and throws if one threw (the
/// outbox then publishes it again later: consumers are idempotent). Consumers that need a queue of their own (push,
/// with its retries) stay on the in-memory bus, which is then published to as well.
/// </summary>
internal sealed class InProcessRelayEvents(IMediator mediator, IBus? queued) : IRelayEvents
{
    public async Task PublishBatchAsync<T>(IReadOnlyList<T> events, CancellationToken cancellationToken)
        where T : class
    {
        foreach (var message in events)
        {
            await mediator.Publish(message, cancellationToken);
        }

        if (queued is not null)
        {
            await queued.PublishBatch(events, cancellationToken);
        }
    }

    public async Task PublishAsync<T>(T message, CancellationToken cancellationToken)
        where T : class
    {
        await mediator.Publish(message, cancellationToken);
        if (queued is not null)
        {
            await queued.Publish(message, cancellationToken);
        }
    }
}
