using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;
using PeerServ.Live.EngineIO;
using PeerServ.Live.SocketIO;
using PeerServ.Relay;

namespace PeerServ.Live.Live;

/// <summary>
/// The authsocket application on every connection: BRC-103 in the "authMessage" event (the connection's identity
/// is its session key, never a claimed one), then authenticated / joinRoom / leaveRoom / sendMessage as the
/// MessageBox client sends them. A connection that breaks the protocol is disconnected; nothing it sends can
/// throw out of here or reach another connection.
/// </summary>
internal sealed partial class LiveApplication(
    ServerIdentity server, AuthLimits limits, LiveHub hub, ILiveSendPipeline pipeline, IOptions<LiveOptions> options, IOptions<PeerServAuthOptions> auth,
    TimeProvider time, ILogger<LiveApplication> logger) : ISocketApplication, IEngineHandlerFactory
{
    private readonly LiveOptions _options = options.Value;
    private readonly ConcurrentDictionary<LiveConnection, byte> _unverified = new();

    public IEngineHandler Create(EngineSession session, string clientKey)
    {
        var socket = new SocketConnection(session, this, clientKey, logger);
        var connection = new LiveConnection(socket, new Brc103SocketPeer(server, auth.Value.MaxNoncesPerSession), _options, time);
        socket.State = connection;
        _unverified[connection] = 0;
        return socket;
    }

    public void OnClosed(SocketConnection connection, string reason)
    {
        var live = (LiveConnection)connection.State!;
        _unverified.TryRemove(live, out _);
        hub.Remove(live);
    }

    /// <summary>Disconnects every connection that has not proven its key within the authentication timeout.</summary>
    public void Tick()
    {
        foreach (var connection in _unverified.Keys)
        {
            if (time.GetElapsedTime(connection.OpenedAt) > _options.AuthenticationTimeout)
            {
                _unverified.TryRemove(connection, out _);
                connection.Socket.Disconnect("not authenticated in time");
            }
        }
    }

    public void OnEvent(SocketConnection connection, string name, JsonElement arguments)
    {
        if (name != LiveEvents.AuthMessage)
        {
            // The client sends nothing else; anything else is ignored, as the client ignores unknown events.
            return;
        }

        var live = (LiveConnection)connection.State!;
        if (arguments.GetArrayLength() < 2 || arguments[1].ValueKind != JsonValueKind.Object)
        {
            Refuse(live, "an authMessage without a message object");
            return;
        }

        var message = arguments[1];
        var type = message.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        try
        {
            switch (type)
            {
                case "initialRequest":
                    Handshake(live, message);
                    break;
                case "general":
                    General(live, message);
                    break;
                default:
                    Refuse(live, "an authMessage of a type this server does not take");
                    break;
            }
        }
        catch (Brc103RejectionException rejection)
        {
            limits.ChargeUnverified(connection.RemoteAddress);
            Refuse(live, rejection.Error.Code + ": " + rejection.Error.Description);
        }
    }

    private void Handshake(LiveConnection live, JsonElement message)
    {
        var address = live.Socket.RemoteAddress;
        if (!limits.MayVerify(address))
        {
            Refuse(live, "the address spent its unverified-work budget");
            return;
        }

        // A handshake costs a signature before anything is proven: it is charged to the address.
        limits.ChargeUnverified(address);
        if (live.InHub)
        {
            // A second handshake on a connection would change its identity under its subscriptions: not allowed.
            Refuse(live, "a second initialRequest on one connection");
            return;
        }

        live.Socket.Emit(LiveEvents.AuthMessage, System.Text.Encoding.UTF8.GetString(live.Peer.Open(message)));
    }

    private void General(LiveConnection live, JsonElement message)
    {
        var payload = live.Peer.Verify(message);
        if (!live.InHub && !Register(live))
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            Refuse(live, "a payload that is not JSON");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("eventName", out var eventName) || eventName.ValueKind != JsonValueKind.String)
            {
                Refuse(live, "a payload without an eventName");
                return;
            }

            var data = root.TryGetProperty("data", out var d) ? d : default;
            var nonce = message.GetProperty("nonce").GetString()!;
            switch (eventName.GetString())
            {
                case LiveEvents.Authenticated:
                    Authenticated(live, data);
                    break;
                case LiveEvents.JoinRoom:
                    Room(live, data, join: true);
                    break;
                case LiveEvents.LeaveRoom:
                    Room(live, data, join: false);
                    break;
                case LiveEvents.SendMessage:
                    LiveSends.Start(live, data, nonce, pipeline, _options, logger);
                    break;
                default:
                    // Unknown application events are ignored, as the client ignores unknown events.
                    break;
            }
        }
    }

    /// <summary>The first verified message: the connection joins the hub under its session key (within the per-identity bound).</summary>
    private bool Register(LiveConnection live)
    {
        var identity = live.Peer.Peer!.Hex;
        live.Registered(identity);
        if (!hub.TryAdd(live, _options.MaxConnectionsPerIdentity))
        {
            live.Emit(LiveEvents.AuthenticationFailed, new { reason = $"This identity already holds the most live connections allowed here ({_options.MaxConnectionsPerIdentity})." });
            live.Registered("");
            _unverified.TryRemove(live, out _);
            live.Socket.Disconnect("too many connections for one identity");
            return false;
        }

        _unverified.TryRemove(live, out _);
        return true;
    }

    private static void Authenticated(LiveConnection live, JsonElement data)
    {
        var claimed = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("identityKey", out var key) ? key : default;
        if (claimed.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
            || (claimed.ValueKind == JsonValueKind.String && string.Equals(claimed.GetString(), live.Identity, StringComparison.OrdinalIgnoreCase)))
        {
            live.Emit(LiveEvents.AuthenticationSuccess, new { status = "success", identityKey = live.Identity });
            return;
        }

        live.Emit(LiveEvents.AuthenticationFailed, new { reason = "identityKey does not match the authenticated session" });
    }

    /// <summary>joinRoom / leaveRoom: only the connection's own rooms, "&lt;its key&gt;-&lt;a valid box&gt;".</summary>
    private static void Room(LiveConnection live, JsonElement data, bool join)
    {
        var roomId = data.ValueKind == JsonValueKind.String ? data.GetString() : null;
        string? reason = null;
        if (!LiveEvents.TrySplitRoom(roomId, out var key, out var box))
        {
            reason = "A room is \"<your identity key>-<message box>\".";
        }
        else if (!string.Equals(key, live.Identity, StringComparison.OrdinalIgnoreCase))
        {
            reason = "Only your own rooms (your identity key, then a box) can be joined or left.";
        }
        else if (RelayFields.BoxError(box) is { } error)
        {
            reason = error.Description;
        }
        else if (join)
        {
            live.Join(box);
        }
        else if (!live.Leave(box))
        {
            reason = "This connection has left the most boxes allowed.";
        }

        if (reason is null)
        {
            live.Emit(join ? LiveEvents.JoinedRoom : LiveEvents.LeftRoom, new { roomId });
        }
        else
        {
            live.Emit(join ? LiveEvents.JoinFailed : LiveEvents.LeaveFailed, new { reason, roomId });
        }
    }

    /// <summary>Ends a connection that broke the protocol, without sending it anything it could not verify.</summary>
    private void Refuse(LiveConnection live, string reason)
    {
        LogRefused(logger, live.Socket.Session.Id, reason);
        RelayMetrics.LiveRefusal();
        live.Socket.Disconnect(reason);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Live connection {SessionId} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string sessionId, string reason);
}
