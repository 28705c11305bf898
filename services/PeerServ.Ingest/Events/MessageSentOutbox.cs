using System.Collections.Concurrent;
using System.Threading.Channels;
using PeerServ.Contracts;
using PeerServ.Relay;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Ingest.Events;

/// <summary>
/// Publishes MessageSent after the durable write, off the request path, at least once. Every stored message
/// starts "pending" in the store (the outbox); a publish that succeeds clears the mark, and a relay loop
/// republishes whatever is still pending after a grace period — after a broker outage, a crash between write and
/// publish, or a full queue. Several replicas may publish the same event; consumers are idempotent.
/// </summary>
public sealed partial class MessageSentOutbox(IMessageStore store, IRelayEvents events, TimeProvider time, ILogger<MessageSentOutbox> logger) : BackgroundService
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RelayInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RelayGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MarkInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Events per broker batch, and per outbox read.</summary>
    private const int BatchSize = 256;

    /// <summary>Just-stored deliveries waiting for the publisher (events only: no body is held); beyond this the relay loop finds them in the store instead.</summary>
    private const int FreshQueueCapacity = 20_000;

    /// <summary>Marks cleared per store write.</summary>
    private const int MarkBatchSize = 1000;

    private readonly Channel<PendingEvent> _fresh = Channel.CreateBounded<PendingEvent>(
        new BoundedChannelOptions(FreshQueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // Published, not yet marked: cleared in one store write MarkInterval after a publish rather than one per publish.
    private readonly ConcurrentQueue<PendingEvent> _published = new();

    // Released once per MarkInterval at most (while _markScheduled is 1) when marks are waiting to be cleared.
    private readonly SemaphoreSlim _marksWaiting = new(0);
    private int _markScheduled;

    /// <summary>Hands a just-stored message to the publisher; if the queue is full the relay will find it in the store.</summary>
    public void Enqueue(NewMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var delivery in message.Deliveries)
        {
            _fresh.Writer.TryWrite(new PendingEvent(delivery.Recipient, delivery.MessageId, message.MessageBox, message.Sender, message.CreatedAt, message.BodyBytes));
        }
    }

    public override void Dispose()
    {
        _marksWaiting.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(PublishFreshAsync(stoppingToken), RelayPendingAsync(stoppingToken), MarkPublishedAsync(stoppingToken));

    private async Task MarkPublishedAsync(CancellationToken stoppingToken)
    {
        try
        {
            // No timer while nothing is published: a relay at rest wakes for nothing.
            while (true)
            {
                await _marksWaiting.WaitAsync(stoppingToken);
                await Task.Delay(MarkInterval, time, stoppingToken);
                Volatile.Write(ref _markScheduled, 0);
                await FlushMarksAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Unmarked events stay pending and are published again later: at least once, never lost.
            await FlushMarksAsync(CancellationToken.None);
        }
    }

    private async Task FlushMarksAsync(CancellationToken cancellationToken)
    {
        var batch = new List<PendingEvent>();
        while (true)
        {
            batch.Clear();
            while (batch.Count < MarkBatchSize && _published.TryDequeue(out var delivery))
            {
                batch.Add(delivery);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await store.MarkEventsPublishedAsync(batch, cancellationToken);
            }
            catch (StoreUnavailableException ex)
            {
                // Published but still marked pending: the relay publishes them again later (at least once).
                LogMarkFailed(logger, ex, batch.Count);
                return;
            }
        }
    }

    private async Task PublishFreshAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingEvent>(BatchSize);
        try
        {
            while (await _fresh.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && _fresh.Reader.TryRead(out var message))
                {
                    batch.Add(message);
                }

                await PublishAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Whatever was not published stays pending in the store for the relay (here after a restart, or another replica).
        }
    }

    private async Task RelayPendingAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RelayInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    IReadOnlyList<PendingEvent> pending;
                    do
                    {
                        pending = await store.ListPendingEventsAsync(time.GetUtcNow() - RelayGrace, BatchSize, stoppingToken);
                        if (pending.Count > 0)
                        {
                            LogRelaying(logger, pending.Count);
                        }
                    }
                    while (pending.Count > 0 && await PublishAsync(pending, stoppingToken) && pending.Count == BatchSize);
                }
                catch (StoreUnavailableException ex)
                {
                    // Try again at the next tick; the pending marks are still in the store.
                    LogRelayFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Publishes and clears the pending marks; false when the broker did not take them (they stay pending).</summary>
    private async Task<bool> PublishAsync(IReadOnlyList<PendingEvent> messages, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await events.PublishBatchAsync(messages.Select(m => new MessageSent(m.Recipient, m.MessageBox, m.MessageId, m.Sender, m.CreatedAt, m.BodyBytes)).ToList(), timeout.Token);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            LogPublishFailed(logger, ex, messages.Count);
            return false;
        }

        RelayMetrics.EventsPublished(nameof(MessageSent), messages.Count);
        foreach (var message in messages)
        {
            _published.Enqueue(message);
        }

        if (Interlocked.Exchange(ref _markScheduled, 1) == 0)
        {
            _marksWaiting.Release();
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Republishing {Count} MessageSent event(s) from the outbox")]
    private static partial void LogRelaying(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish {Count} MessageSent event(s), kept in the outbox")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Published {Count} MessageSent event(s) but could not clear their outbox marks")]
    private static partial void LogMarkFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not read the store")]
    private static partial void LogRelayFailed(ILogger logger, Exception exception);
}
