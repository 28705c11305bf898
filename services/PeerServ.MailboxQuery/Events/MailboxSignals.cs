using PeerServ.Relay;

namespace PeerServ.MailboxQuery.Events;

/// <summary>
/// Wakes long-polling lists: a waiter takes the signal for (recipient, box) before it looks at the store, so a
/// message stored after that look but announced before the wait still wakes it. One shared signal per box, held only
/// while someone waits on it: the last waiter to leave removes it, so box names polled once cost nothing afterwards.
/// Waiters are bounded in total and per recipient, so that a few identities cannot take every slot.
/// </summary>
public sealed class MailboxSignals
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Signal> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _waitingPerRecipient = new(StringComparer.Ordinal);
    private int _waiting;

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Signals currently held (each by at least one waiter).</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _signals.Count;
            }
        }
    }

    /// <summary>The signal the next message for this box will complete, held until the lease is disposed.</summary>
    public Lease Subscribe(string recipient, string box)
    {
        var key = Key(recipient, box);
        lock (_lock)
        {
            if (!_signals.TryGetValue(key, out var signal))
            {
                _signals[key] = signal = new Signal();
            }

            signal.Holders++;
            return new Lease(this, key, signal);
        }
    }

    public void Notify(string recipient, string box)
    {
        Signal? signal;
        lock (_lock)
        {
            _signals.Remove(Key(recipient, box), out signal);
        }

        signal?.Completion.TrySetResult();
    }

    /// <summary>Counts a waiter in; false when <paramref name="max"/> wait in all, or <paramref name="maxPerRecipient"/> for this recipient.</summary>
    public bool TryEnter(string recipient, int max, int maxPerRecipient)
    {
        lock (_lock)
        {
            var mine = _waitingPerRecipient.GetValueOrDefault(recipient);
            if (_waiting >= max || mine >= maxPerRecipient)
            {
                return false;
            }

            _waiting++;
            _waitingPerRecipient[recipient] = mine + 1;
        }

        RelayMetrics.ListWaiting(1);
        return true;
    }

    public void Exit(string recipient)
    {
        lock (_lock)
        {
            _waiting--;
            if (_waitingPerRecipient.TryGetValue(recipient, out var mine) && mine > 1)
            {
                _waitingPerRecipient[recipient] = mine - 1;
            }
            else
            {
                _waitingPerRecipient.Remove(recipient);
            }
        }

        RelayMetrics.ListWaiting(-1);
    }

    private void Release(string key, Signal signal)
    {
        lock (_lock)
        {
            // A notified signal is gone already; a newer one under the same key belongs to other waiters.
            if (--signal.Holders == 0 && _signals.TryGetValue(key, out var current) && current == signal)
            {
                _signals.Remove(key);
            }
        }
    }

    private static string Key(string recipient, string box) => recipient + "\n" + box;

    internal sealed class Signal
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Holders { get; set; }
    }

    /// <summary>One waiter's hold on a box's signal.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly MailboxSignals _owner;
        private readonly string _key;
        private Signal? _signal;

        internal Lease(MailboxSignals owner, string key, Signal signal)
        {
            _owner = owner;
            _key = key;
            _signal = signal;
            Task = signal.Completion.Task;
        }

        /// <summary>Completes when a message for the box is announced.</summary>
        public Task Task { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _signal, null) is { } signal)
            {
                _owner.Release(_key, signal);
            }
        }
    }
}
