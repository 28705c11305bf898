using System.Collections.Concurrent;
using PeerServ.Relay;

namespace PeerServ.MailboxQuery.Events;

/// <summary>
/// Wakes long-polling lists: a waiter takes the signal for (recipient, box) before it looks at the store, so a
/// message stored after that look but announced before the wait still wakes it. One shared signal per box.
/// </summary>
public sealed class MailboxSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private int _waiting;

    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>The signal the next message for this box will complete.</summary>
    public Task Subscribe(string recipient, string box) =>
        _signals.GetOrAdd(Key(recipient, box), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Notify(string recipient, string box)
    {
        if (_signals.TryRemove(Key(recipient, box), out var signal))
        {
            signal.TrySetResult();
        }
    }

    /// <summary>Counts a waiter in; false when <paramref name="max"/> are already waiting.</summary>
    public bool TryEnter(int max)
    {
        if (Interlocked.Increment(ref _waiting) <= max)
        {
            RelayMetrics.ListWaiting(1);
            return true;
        }

        Interlocked.Decrement(ref _waiting);
        return false;
    }

    public void Exit()
    {
        Interlocked.Decrement(ref _waiting);
        RelayMetrics.ListWaiting(-1);
    }

    private static string Key(string recipient, string box) => recipient + "\n" + box;
}
