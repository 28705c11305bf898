using System.Text.Json;
using PeerServ.Auth.Server;
using PeerServ.Live.SocketIO;
using PeerServ.Relay;

namespace PeerServ.Live.Live;

/// <summary>
/// One live connection: its Socket.IO connection, its BRC-103 session (whose key is the connection's identity), the
/// boxes it left (it receives every other box of its identity), the ids it was already sent, and its send limits.
/// </summary>
internal sealed class LiveConnection(SocketConnection socket, Brc103SocketPeer peer, LiveOptions options, TimeProvider time)
{
    private const int RememberedDeliveries = 512;
    private const int MaxLeftBoxes = 1024;
    private readonly Lock _lock = new();

    // Made on first use: most connections never leave a box, and an idle one has been sent nothing.
    private HashSet<string>? _left;
    private HashSet<string>? _delivered;
    private Queue<string>? _deliveredOrder;
    private SemaphoreSlim? _sendOrder;
    private double _sendTokens = 2.0 * options.SendsPerSecond;
    private long _refilledAt = time.GetTimestamp();
    private int _inFlight;

    public SocketConnection Socket { get; } = socket;

    public Brc103SocketPeer Peer { get; } = peer;

    public long OpenedAt { get; } = time.GetTimestamp();

    /// <summary>The verified identity (lowercase hex); set when the connection joins the hub.</summary>
    public string Identity { get; private set; } = "";

    public bool InHub => Identity.Length > 0;

    /// <summary>Socket sends run one after another, in arrival order, so acks leave in the order the sends came.</summary>
    public SemaphoreSlim SendOrder => LazyInitializer.EnsureInitialized(ref _sendOrder, () => new SemaphoreSlim(1, 1));

    public void Registered(string identity) => Identity = identity;

    public bool IsSubscribed(string box)
    {
        lock (_lock)
        {
            return _left is null || !_left.Contains(box);
        }
    }

    /// <summary>An explicit leaveRoom: this box is no longer delivered here (until joined again); false when too many were left.</summary>
    public bool Leave(string box)
    {
        lock (_lock)
        {
            _left ??= new HashSet<string>(StringComparer.Ordinal);
            if (_left.Count < MaxLeftBoxes)
            {
                _left.Add(box);
                return true;
            }

            return _left.Contains(box);
        }
    }

    public void Join(string box)
    {
        lock (_lock)
        {
            _left?.Remove(box);
        }
    }

    /// <summary>True the first time this (sender, id) is delivered here; events are at least once, deliveries once per connection.</summary>
    public bool FirstDelivery(string sender, string messageId)
    {
        var key = sender + "\n" + messageId;
        lock (_lock)
        {
            _delivered ??= new HashSet<string>(StringComparer.Ordinal);
            _deliveredOrder ??= new Queue<string>();
            if (!_delivered.Add(key))
            {
                return false;
            }

            _deliveredOrder.Enqueue(key);
            if (_deliveredOrder.Count > RememberedDeliveries)
            {
                _delivered.Remove(_deliveredOrder.Dequeue());
            }

            return true;
        }
    }

    /// <summary>Takes a send slot: within the rate (token bucket, bursts of twice the rate) and the in-flight bound.</summary>
    public bool TryStartSend()
    {
        lock (_lock)
        {
            if (_inFlight >= options.MaxSendsInFlight)
            {
                return false;
            }

            if (options.SendsPerSecond > 0)
            {
                var now = time.GetTimestamp();
                _sendTokens = Math.Min(2.0 * options.SendsPerSecond, _sendTokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * options.SendsPerSecond));
                _refilledAt = now;
                if (_sendTokens < 1)
                {
                    return false;
                }

                _sendTokens--;
            }

            _inFlight++;
            return true;
        }
    }

    public void EndSend()
    {
        lock (_lock)
        {
            _inFlight--;
        }
    }

    /// <summary>Emits an application event as a signed BRC-103 general message; false when the connection is gone.</summary>
    public bool Emit(string eventName, object data)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new LiveEvent(eventName, data), RelayJson.Options);
        return Socket.Emit(LiveEvents.AuthMessage, System.Text.Encoding.UTF8.GetString(Peer.Sign(payload)));
    }

    /// <summary>The BRC-103 payload of an application event.</summary>
    private sealed record LiveEvent(string EventName, object Data);
}
