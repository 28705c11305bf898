using System.Net.WebSockets;

namespace PeerServ.Live.EngineIO;

/// <summary>What the layer above (Socket.IO) gets from a session: each message packet's data, and the close.</summary>
internal interface IEngineHandler
{
    /// <summary>One Engine.IO message's data, in the order received. Never throws out (the handler contains its own faults).</summary>
    void OnMessage(EngineSession session, string data);

    void OnClose(EngineSession session, string reason);
}

/// <summary>
/// One Engine.IO 4 session: HTTP long-polling first, upgraded to a WebSocket or opened directly on one. Outgoing
/// packets queue in one queue that a polling GET drains or, once on the WebSocket, one writer loop sends; a
/// client that does not read gets closed once too much waits for it. Incoming packets go to the handler in order.
/// </summary>
internal sealed partial class EngineSession
{
    private readonly PacketQueue _outgoing = new();
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private IEngineHandler? _handler;
    private CancellationTokenSource? _pollCancel;
    private WebSocket? _socket;
    private long _queuedBytes;
    private int _polling;
    private bool _probed;
    private int _closed;
    private long _pingSentAt;
    private long _lastPingAt;
    private string _closeReason = "";

    private readonly Action<EngineSession>? _ended;

    public EngineSession(string id, EngineTransport transport, EngineOptions options, TimeProvider time, Action<EngineSession>? ended = null)
    {
        _ended = ended;
        Id = id;
        Transport = transport;
        _options = options;
        _time = time;
        _lastPingAt = time.GetTimestamp();
    }

    public string Id { get; }

    public EngineTransport Transport { get; private set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>The layer above (the Socket.IO connection).</summary>
    public IEngineHandler? Handler => _handler;

    public void Attach(IEngineHandler handler) => _handler = handler;

    /// <summary>Queues a Socket.IO packet (an Engine.IO message); false once the session is closed or closing.</summary>
    public bool Send(string data) => Enqueue(EnginePacket.Message(data));

    /// <summary>The open packet, the first frame of a direct WebSocket connection.</summary>
    public void SendOpen(string openPacket) => Enqueue(openPacket);

    private bool Enqueue(string packet)
    {
        if (IsClosed)
        {
            return false;
        }

        if (Interlocked.Add(ref _queuedBytes, packet.Length) > _options.MaxQueuedChars)
        {
            // A client that does not read: drop it rather than hold its backlog.
            Close("the client does not read what it is sent", flush: false);
            return false;
        }

        return _outgoing.TryWrite(packet);
    }

    /// <summary>
    /// Ends the session. With <paramref name="flush"/> what is queued (a Socket.IO disconnect, say) is still sent
    /// first; a polling client then gets the Engine.IO close packet.
    /// </summary>
    public void Close(string reason, bool flush = true)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _closeReason = reason;
        if (Transport == EngineTransport.Polling && flush)
        {
            _outgoing.TryWrite(EnginePacket.Close);
        }

        _outgoing.Complete();
        if (!flush)
        {
            _socket?.Abort();
            _outgoing.Clear();
        }

        _ended?.Invoke(this);
        _handler?.OnClose(this, reason);
    }

    /// <summary>Heartbeat, called about once a second: a ping when one is due, a close when a pong is overdue.</summary>
    public void Tick()
    {
        if (IsClosed)
        {
            return;
        }

        var sent = Volatile.Read(ref _pingSentAt);
        if (sent != 0)
        {
            if (_time.GetElapsedTime(sent) > _options.PingTimeout)
            {
                Close("ping timeout", flush: false);
            }

            return;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastPingAt)) >= _options.PingInterval)
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _lastPingAt, now);
            Volatile.Write(ref _pingSentAt, now);
            Enqueue(EnginePacket.Ping);
        }
    }

    /// <summary>A polling GET: answers with what is queued, waiting for something when nothing is.</summary>
    public async Task<PollResult> PollAsync(CancellationToken aborted)
    {
        if (Transport != EngineTransport.Polling || Interlocked.Exchange(ref _polling, 1) != 0)
        {
            // A second concurrent GET, or a GET after the upgrade: a protocol error that ends the session.
            Close("overlapping or late polling request", flush: false);
            return PollResult.Failed;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        lock (_lock)
        {
            _pollCancel = cancel;
            if (_probed)
            {
                // An upgrade is under way: a poll that arrives after the probe (it may have been in flight) is answered
                // with a noop at once, or the client, which waits for it before sending the upgrade, would stall.
                cancel.Cancel();
            }
        }

        try
        {
            var packets = new List<string>();
            while (packets.Count == 0)
            {
                if (!await _outgoing.WaitToReadAsync(cancel.Token))
                {
                    return new PollResult(EnginePacket.Close);
                }

                var chars = 0;
                while (chars < _options.MaxPayloadBytes && _outgoing.TryRead(out var packet))
                {
                    Interlocked.Add(ref _queuedBytes, -packet.Length);
                    packets.Add(packet);
                    chars += packet.Length + 1;
                }
            }

            return new PollResult(EnginePacket.Join(packets));
        }
        catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
        {
            // The upgrade probe: the client pauses polling on a noop and then sends the upgrade packet on the WebSocket.
            return new PollResult(EnginePacket.Noop);
        }
        finally
        {
            lock (_lock)
            {
                _pollCancel = null;
            }

            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>A polling POST's payload: each packet handled in order.</summary>
    public void Receive(string payload)
    {
        foreach (var packet in EnginePacket.Split(payload))
        {
            if (IsClosed || !Handle(packet))
            {
                return;
            }
        }
    }

    /// <summary>Answers a waiting poll (with a noop) and records whether an upgrade probe has been answered.</summary>
    private void CancelPoll(bool probed)
    {
        lock (_lock)
        {
            _probed = probed;
            if (probed)
            {
                _pollCancel?.Cancel();
            }
        }
    }

    /// <summary>One text packet from the client; false when it ended the session.</summary>
    private bool Handle(string packet)
    {
        if (!EnginePacket.TryParse(packet, out var type, out _))
        {
            Close("malformed packet", flush: false);
            return false;
        }

        switch (type)
        {
            case EnginePacketType.Pong:
                Volatile.Write(ref _pingSentAt, 0);
                return true;
            case EnginePacketType.Message:
                _handler?.OnMessage(this, packet[1..]);
                return !IsClosed;
            case EnginePacketType.Close:
                Close("client closed", flush: false);
                return false;
            case EnginePacketType.Noop:
                return true;
            default:
                // Open, ping and upgrade are never sent by a client outside the upgrade handshake.
                Close($"unexpected packet type {(char)type}", flush: false);
                return false;
        }
    }
}

internal enum EngineTransport
{
    Polling,
    WebSocket,
}

/// <summary>A polling GET's answer: the payload, or a protocol error (400).</summary>
internal readonly record struct PollResult(string? Payload)
{
    public static PollResult Failed => new(null);
}
