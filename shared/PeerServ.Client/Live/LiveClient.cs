using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;

namespace PeerServ.Client.Live;

/// <summary>A message pushed live: the same fields as a listed message, plus its box.</summary>
public sealed record LiveMessage(string MessageBox, string MessageId, string Sender, string Body, string CreatedAt);

/// <summary>The relay's answer to a socket send: success with the message id, or the relay's error code.</summary>
public sealed record LiveSendAck(bool Succeeded, string? MessageId, string? Code, string? Description);

/// <summary>Thrown when the relay refuses the connection, its handshake, or an authentication.</summary>
public sealed class LiveClientException(string message) : Exception(message);

/// <summary>
/// A live subscription to a PeerServ relay: Engine.IO 4 over a WebSocket to /socket.io/, Socket.IO 5, and BRC-103
/// in the "authMessage" event, as @bsv/message-box-client speaks it. Every message from the server is verified
/// (its signature under the server's key, for this connection's session) before it is believed. Messages for
/// every box of this identity arrive on <see cref="Messages"/>, except boxes left with <see cref="LeaveAsync"/>.
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);
    private readonly ClientWebSocket _socket = new();
    private readonly KeyDeriver _deriver;
    private readonly string _namespace;
    private readonly string _ourNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly Channel<LiveMessage> _messages = Channel.CreateUnbounded<LiveMessage>();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<TaskCompletionSource<JsonElement>>> _waiting = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<JsonElement> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _serverNonce;
    private Task _receiving = Task.CompletedTask;

    private LiveClient(PrivateKey key, string nsp)
    {
        Identity = key.PublicKey;
        _deriver = new KeyDeriver(key);
        _namespace = nsp;
    }

    /// <summary>This connection's identity.</summary>
    public PublicKey Identity { get; }

    /// <summary>The relay's identity key, as its initialResponse proved it.</summary>
    public PublicKey ServerKey { get; private set; } = null!;

    /// <summary>The Engine.IO session id the relay gave this connection (behind the gateway it begins with the replica's tag).</summary>
    public string SessionId { get; private set; } = "";

    /// <summary>Messages pushed to this identity, in arrival order; completes when the connection ends.</summary>
    public ChannelReader<LiveMessage> Messages => _messages.Reader;

    /// <summary>Why the relay ended the connection (a Socket.IO disconnect or the transport's close); null while it is open.</summary>
    public string? Closed { get; private set; }

    /// <summary>Connects, opens the BRC-103 session, authenticates, and starts receiving.</summary>
    /// <param name="serverKey">When given, the relay must prove this key, or the connection is refused.</param>
    public static async Task<LiveClient> ConnectAsync(Uri relay, PrivateKey key, PublicKey? serverKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(key);
        var nsp = relay.AbsolutePath.TrimEnd('/') is { Length: > 0 } path ? path : "/";
        var client = new LiveClient(key, nsp);
        try
        {
            await client.OpenAsync(relay, serverKey, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a message over the socket; the relay acks it once it is stored (or answers with its error).</summary>
    public async Task<LiveSendAck> SendAsync(string recipient, string messageBox, string body, string? messageId = null, CancellationToken cancellationToken = default)
    {
        var room = $"{recipient}-{messageBox}";
        var answer = Expect("sendMessageAck-" + room);
        await EmitAsync("sendMessage", new { roomId = room, message = new { recipient, messageId, body } }, cancellationToken);
        var ack = await WaitAsync(answer, cancellationToken);
        return ack.GetProperty("status").GetString() == "success"
            ? new LiveSendAck(true, ack.GetProperty("messageId").GetString(), null, null)
            : new LiveSendAck(false, null, Text(ack, "code"), Text(ack, "description"));
    }

    /// <summary>Receives this box again after <see cref="LeaveAsync"/>; false when the relay refused the room.</summary>
    public Task<bool> JoinAsync(string messageBox, CancellationToken cancellationToken = default) => RoomAsync("joinRoom", "joinedRoom", "joinFailed", $"{Identity.Hex}-{messageBox}", cancellationToken);

    /// <summary>Stops receiving this box on this connection; false when the relay refused the room.</summary>
    public Task<bool> LeaveAsync(string messageBox, CancellationToken cancellationToken = default) => RoomAsync("leaveRoom", "leftRoom", "leaveFailed", $"{Identity.Hex}-{messageBox}", cancellationToken);

    /// <summary>Joins or leaves a room named as given (any room, including one that is not this identity's: the relay refuses those).</summary>
    public async Task<bool> RoomAsync(string request, string success, string failure, string roomId, CancellationToken cancellationToken = default)
    {
        var ok = Expect(success);
        var failed = Expect(failure);
        await EmitAsync(request, roomId, cancellationToken);
        var done = await Task.WhenAny(ok.Task, failed.Task, Task.Delay(AnswerTimeout, cancellationToken));
        // The answer that did not come must not take the next one: its waiter is dropped (skipped when dequeued).
        ok.TrySetCanceled(CancellationToken.None);
        failed.TrySetCanceled(CancellationToken.None);
        return done == ok.Task ? true : done == failed.Task ? false : throw new TimeoutException($"No answer to {request} within {AnswerTimeout.TotalSeconds} s.");
    }

    /// <summary>Emits an application event as a signed BRC-103 general message.</summary>
    public async Task EmitAsync(string eventName, object? data, CancellationToken cancellationToken = default)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { eventName, data });
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var signature = _deriver.Sign(payload, Brc104Payload.Invoice(nonce, _serverNonce!), ServerKey);
        await SendAuthMessageAsync(new
        {
            version = AuthHeaders.Brc104Version,
            messageType = "general",
            identityKey = Identity.Hex,
            nonce,
            yourNonce = _serverNonce,
            payload = payload.Select(b => (int)b),
            signature = signature.Select(b => (int)b),
        }, cancellationToken);
    }

    /// <summary>Ends the connection as the MessageBox client does: a Socket.IO disconnect, then the WebSocket close.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await SendFrameAsync(_namespace == "/" ? "41" : $"41{_namespace},", CancellationToken.None);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client closing", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }

        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private async Task OpenAsync(Uri relay, PublicKey? pinned, CancellationToken cancellationToken)
    {
        var ws = new UriBuilder(relay) { Scheme = relay.Scheme == "https" ? "wss" : "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" }.Uri;
        await _socket.ConnectAsync(ws, cancellationToken);
        var open = await ReceiveTextAsync(cancellationToken) ?? throw new LiveClientException("The relay closed the connection before Engine.IO opened.");
        if (!open.StartsWith('0'))
        {
            throw new LiveClientException($"Expected the Engine.IO open packet, got '{Truncate(open)}'.");
        }

        using (var opened = JsonDocument.Parse(open[1..]))
        {
            SessionId = opened.RootElement.GetProperty("sid").GetString()!;
        }

        await SendFrameAsync(_namespace == "/" ? "40" : $"40{_namespace},", cancellationToken);
        _receiving = Task.Run(() => ReceiveLoopAsync(_stop.Token), CancellationToken.None);
        var authenticated = Expect("authenticationSuccess");
        var refused = Expect("authenticationFailed");
        await SendAuthMessageAsync(new
        {
            version = AuthHeaders.Brc104Version,
            messageType = "initialRequest",
            identityKey = Identity.Hex,
            initialNonce = _ourNonce,
            requestedCertificates = new { certifiers = Array.Empty<string>(), types = new { } },
        }, cancellationToken);
        var response = await WaitAsync(_handshake, cancellationToken);
        var server = PublicKey.Parse(response.GetProperty("identityKey").GetString()!);
        if (pinned is not null && server.Hex != pinned.Hex)
        {
            throw new LiveClientException($"The relay proved key {server.Hex}, not the pinned {pinned.Hex}.");
        }

        var serverNonce = response.GetProperty("initialNonce").GetString()!;
        var signed = Convert.FromBase64String(_ourNonce).Concat(Convert.FromBase64String(serverNonce)).ToArray();
        if (response.GetProperty("yourNonce").GetString() != _ourNonce
            || !_deriver.Verify(signed, Bytes(response.GetProperty("signature")), Brc104Payload.Invoice(_ourNonce, serverNonce), server))
        {
            throw new LiveClientException("The relay's initialResponse does not verify.");
        }

        ServerKey = server;
        _serverNonce = serverNonce;
        await EmitAsync("authenticated", new { identityKey = Identity.Hex }, cancellationToken);
        var done = await Task.WhenAny(authenticated.Task, refused.Task, Task.Delay(AnswerTimeout, cancellationToken));
        authenticated.TrySetCanceled(CancellationToken.None);
        refused.TrySetCanceled(CancellationToken.None);
        if (done != authenticated.Task)
        {
            throw new LiveClientException(done == refused.Task ? $"Authentication refused: {refused.Task.Result}" : $"Not authenticated within {AnswerTimeout.TotalSeconds} s ({Closed ?? "still open"}).");
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken stop)
    {
        try
        {
            while (await ReceiveTextAsync(stop) is { } frame)
            {
                if (frame == "2")
                {
                    await SendFrameAsync("3", stop);
                }
                else if (frame.StartsWith("41", StringComparison.Ordinal))
                {
                    Closed = "the relay disconnected this socket (Socket.IO disconnect)";
                    break;
                }
                else if (frame.StartsWith("42", StringComparison.Ordinal))
                {
                    OnEvent(frame[(frame.IndexOf('[', StringComparison.Ordinal) is var i and >= 0 ? i : 2)..]);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or JsonException)
        {
            Closed ??= "transport closed: " + ex.Message;
        }
        finally
        {
            Closed ??= "transport closed";
            _messages.Writer.TryComplete();
            _handshake.TrySetException(new LiveClientException("The connection ended: " + Closed));
        }
    }

    private void OnEvent(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root[0].GetString() != "authMessage" || root.GetArrayLength() < 2)
        {
            return;
        }

        var message = root[1];
        if (message.GetProperty("messageType").GetString() == "initialResponse")
        {
            _handshake.TrySetResult(message.Clone());
            return;
        }

        // A general message is believed only if the server signed it for this session.
        var nonce = message.GetProperty("nonce").GetString()!;
        var payload = Bytes(message.GetProperty("payload"));
        if (ServerKey is null || message.GetProperty("identityKey").GetString() != ServerKey.Hex || message.GetProperty("yourNonce").GetString() != _ourNonce
            || !_deriver.Verify(payload, Bytes(message.GetProperty("signature")), Brc104Payload.Invoice(nonce, _ourNonce), ServerKey))
        {
            return;
        }

        using var body = JsonDocument.Parse(payload);
        var eventName = body.RootElement.GetProperty("eventName").GetString()!;
        var data = body.RootElement.TryGetProperty("data", out var d) ? d.Clone() : default;
        var delivery = $"sendMessage-{Identity.Hex}-";
        if (eventName.StartsWith(delivery, StringComparison.Ordinal))
        {
            _messages.Writer.TryWrite(new LiveMessage(eventName[delivery.Length..], Text(data, "messageId")!, Text(data, "sender")!, Text(data, "body")!, Text(data, "createdAt") ?? ""));
        }
        else if (_waiting.TryGetValue(eventName, out var queue))
        {
            while (queue.TryDequeue(out var waiter) && !waiter.TrySetResult(data))
            {
            }
        }
    }

    private TaskCompletionSource<JsonElement> Expect(string eventName)
    {
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.GetOrAdd(eventName, _ => new()).Enqueue(waiter);
        return waiter;
    }

    private async Task<JsonElement> WaitAsync(TaskCompletionSource<JsonElement> waiter, CancellationToken cancellationToken)
    {
        var done = await Task.WhenAny(waiter.Task, Task.Delay(AnswerTimeout, cancellationToken));
        return done == waiter.Task ? await waiter.Task : throw new TimeoutException($"No answer from the relay within {AnswerTimeout.TotalSeconds} s ({Closed ?? "still open"}).");
    }

    private Task SendAuthMessageAsync(object message, CancellationToken cancellationToken)
    {
        var prefix = _namespace == "/" ? "42" : $"42{_namespace},";
        return SendFrameAsync(prefix + "[\"authMessage\"," + JsonSerializer.Serialize(message) + "]", cancellationToken);
    }

    private async Task SendFrameAsync(string text, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<string?> ReceiveTextAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (true)
        {
            var result = await _socket.ReceiveAsync(chunk, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                Closed ??= $"the relay closed the WebSocket ({result.CloseStatus} {result.CloseStatusDescription})";
                return null;
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            }
        }
    }

    private static byte[] Bytes(JsonElement array) => [.. array.EnumerateArray().Select(b => b.GetByte())];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
