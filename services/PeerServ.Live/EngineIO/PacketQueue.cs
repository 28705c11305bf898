namespace PeerServ.Live.EngineIO;

/// <summary>
/// A session's outgoing packets: any number of writers, one reader at a time (the polling GET or the WebSocket
/// writer). Smaller than a channel where it counts — an idle session holds an empty queue and at most one waiter.
/// </summary>
internal sealed class PacketQueue
{
    private readonly Queue<string> _packets = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource<bool>? _waiter;
    private bool _completed;

    /// <summary>False once the queue is completed.</summary>
    public bool TryWrite(string packet)
    {
        TaskCompletionSource<bool>? waiter;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _packets.Enqueue(packet);
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult(true);
        return true;
    }

    public bool TryRead(out string packet)
    {
        lock (_lock)
        {
            return _packets.TryDequeue(out packet!);
        }
    }

    /// <summary>No packet is written from now on; what is queued can still be read.</summary>
    public void Complete()
    {
        TaskCompletionSource<bool>? waiter;
        lock (_lock)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult(false);
    }

    /// <summary>Drops what is queued.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _packets.Clear();
        }
    }

    /// <summary>
    /// True when a packet may be read (a reader loops: another reader that took over can leave it nothing), false once
    /// the queue is completed and empty.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource<bool> waiter;
        TaskCompletionSource<bool>? replaced;
        lock (_lock)
        {
            if (_packets.Count > 0 || _completed)
            {
                return new ValueTask<bool>(_packets.Count > 0);
            }

            replaced = _waiter;
            waiter = _waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // One waiter at a time: one that is replaced wakes up, finds nothing and waits again (or has gone).
        replaced?.TrySetResult(true);
        return cancellationToken.CanBeCanceled ? WaitAsync(waiter, cancellationToken) : new ValueTask<bool>(waiter.Task);
    }

    private static async ValueTask<bool> WaitAsync(TaskCompletionSource<bool> waiter, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<bool>)state!).TrySetCanceled(token), waiter))
        {
            return await waiter.Task;
        }
    }
}
