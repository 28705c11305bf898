using System.Security.Cryptography;
using System.Text.Json;
using PeerServ.Live.EngineIO;

namespace PeerServ.Live.SocketIO;

/// <summary>The application above Socket.IO: a connection's events, in order.</summary>
internal interface ISocketApplication
{
    /// <summary>An event: its name, and the whole event array ([name, ...arguments]), valid only during the call.</summary>
    void OnEvent(SocketConnection connection, string name, JsonElement arguments);

    void OnClosed(SocketConnection connection, string reason);
}

/// <summary>
/// The Socket.IO 5 connection on one Engine.IO session: one namespace (whichever the client names, echoed in every
/// packet), events in both directions, the disconnect. Anything malformed closes this connection and nothing else.
/// </summary>
internal sealed partial class SocketConnection(EngineSession session, ISocketApplication application, string remoteAddress, ILogger logger) : IEngineHandler
{
    private const int MaxJsonDepth = 64;
    private int _connected;

    public EngineSession Session { get; } = session;

    /// <summary>The client's address (its limits' partition key).</summary>
    public string RemoteAddress { get; } = remoteAddress;

    public string Namespace { get; private set; } = SocketPacket.RootNamespace;

    /// <summary>The Socket.IO socket id (not the Engine.IO session id), sent in the CONNECT answer.</summary>
    public string Id { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');

    public bool IsConnected => Volatile.Read(ref _connected) == 1;

    /// <summary>What the application keeps for this connection.</summary>
    public object? State { get; set; }

    /// <summary>Emits an event with one argument (JSON text); false when the connection is gone.</summary>
    public bool Emit(string eventName, string argumentJson) =>
        IsConnected && Session.Send(SocketPacket.Encode(SocketPacketType.Event, Namespace, $"[{JsonSerializer.Serialize(eventName)},{argumentJson}]"));

    /// <summary>Ends the connection cleanly: a Socket.IO disconnect (after which real clients do not reconnect), then the Engine.IO close.</summary>
    public void Disconnect(string reason)
    {
        if (IsConnected)
        {
            Session.Send(SocketPacket.Encode(SocketPacketType.Disconnect, Namespace));
        }

        Session.Close(reason, flush: true);
    }

    public void OnMessage(EngineSession session, string data)
    {
        try
        {
            if (!SocketPacket.TryParse(data, out var packet))
            {
                Fail("malformed Socket.IO packet");
                return;
            }

            switch (packet.Type)
            {
                case SocketPacketType.Connect:
                    Connect(packet);
                    break;
                case SocketPacketType.Disconnect:
                    session.Close("client disconnected", flush: false);
                    break;
                case SocketPacketType.Event when IsConnected && packet.Namespace == Namespace:
                    Dispatch(packet.Json);
                    break;
                case SocketPacketType.Ack when IsConnected:
                    // The server asks for no acknowledgements; a client's is ignored.
                    break;
                default:
                    Fail($"unexpected Socket.IO packet type {packet.Type}");
                    break;
            }
        }
#pragma warning disable CA1031 // Nothing a client sends may escape into the transport loop: the connection closes, the process and other sockets carry on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFault(logger, ex, session.Id);
            session.Close("internal error", flush: false);
        }
    }

    public void OnClose(EngineSession session, string reason)
    {
        if (Interlocked.Exchange(ref _connected, 2) == 1)
        {
            application.OnClosed(this, reason);
        }
    }

    private void Connect(SocketPacket packet)
    {
        if (Interlocked.CompareExchange(ref _connected, 1, 0) != 0)
        {
            // One namespace per session is all a MessageBox client uses; a second CONNECT is refused, the first stays.
            Session.Send(SocketPacket.Encode(SocketPacketType.ConnectError, packet.Namespace, """{"message":"one namespace per connection"}"""));
            return;
        }

        Namespace = packet.Namespace;
        Session.Send(SocketPacket.Encode(SocketPacketType.Connect, Namespace, $$"""{"sid":"{{Id}}"}"""));
    }

    private void Dispatch(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException)
        {
            Fail("an event that is not JSON");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0 || root[0].ValueKind != JsonValueKind.String)
            {
                Fail("an event that is not [name, ...arguments]");
                return;
            }

            application.OnEvent(this, root[0].GetString()!, root);
        }
    }

    private void Fail(string reason)
    {
        LogProtocolViolation(logger, Session.Id, reason);
        Session.Close(reason, flush: false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live connection {SessionId} closed: {Reason}")]
    private static partial void LogProtocolViolation(ILogger logger, string sessionId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connection {SessionId} closed after a fault in its handler")]
    private static partial void LogHandlerFault(ILogger logger, Exception exception, string sessionId);
}
