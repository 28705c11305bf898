using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace PeerServ.Live.EngineIO;

/// <summary>The WebSocket transport of a session: the upgrade, the receive loop, the writer loop, frames and the close.</summary>
internal sealed partial class EngineSession
{
    /// <summary>
    /// Runs this session on a WebSocket until it closes: a direct connection (the open packet is already queued) or
    /// the upgrade of a polling session (probe, noop to the pending poll, upgrade packet, then WebSocket only).
    /// </summary>
    /// <remarks>
    /// Nothing here waits on a cancellation token (each would cost an idle socket its registrations): a dropped
    /// connection ends the pending read, and a session that closes aborts its socket.
    /// </remarks>
    public async Task RunWebSocketAsync(WebSocket socket)
    {
        var upgrading = Transport == EngineTransport.Polling;
        if (!upgrading)
        {
            _socket = socket;
        }

        var writer = upgrading ? Task.CompletedTask : WriteLoopAsync(socket);
        try
        {
            while (!IsClosed)
            {
                // A zero-byte read: an idle socket holds no receive buffer, and no state below this method.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                var text = await ReceiveTextAsync(socket, first);
                if (text is null)
                {
                    break;
                }

                if (!upgrading)
                {
                    if (!Handle(text))
                    {
                        break;
                    }

                    continue;
                }

                if (text == EnginePacket.ProbePing)
                {
                    await SendFrameAsync(socket, EnginePacket.ProbePong, CancellationToken.None);
                    CancelPoll(probed: true);
                }
                else if (text == EnginePacket.Upgrade && !IsClosed)
                {
                    _socket = socket;
                    Transport = EngineTransport.WebSocket;
                    upgrading = false;
                    CancelPoll(probed: true);
                    writer = WriteLoopAsync(socket);
                }
                else
                {
                    Close("unexpected packet during the upgrade", flush: false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The transport dropped (or the close handshake timed out): the session ends with it.
        }

        if (upgrading)
        {
            // An upgrade that never completed leaves the polling session as it was (or as it closed meanwhile).
            CancelPoll(probed: false);
            await CloseSocketAsync(socket, "upgrade abandoned");
            return;
        }

        Close("transport closed", flush: false);
        await writer;
    }

    /// <summary>The WebSocket this session was taken for could not be accepted: a direct session closes, a polling one stays as it was.</summary>
    public void Abandon()
    {
        if (Transport == EngineTransport.WebSocket && _socket is null)
        {
            Close("the WebSocket could not be accepted", flush: false);
        }
    }

    /// <summary>Sends what is queued until the session closes, then the WebSocket close; a client that does not answer it within 2 s is cut off.</summary>
    private async Task WriteLoopAsync(WebSocket socket)
    {
        try
        {
            while (await _outgoing.WaitToReadAsync(CancellationToken.None))
            {
                while (_outgoing.TryRead(out var packet))
                {
                    Interlocked.Add(ref _queuedBytes, -packet.Length);
                    await SendFrameAsync(socket, packet, CancellationToken.None);
                }
            }

            await CloseSocketAsync(socket, _closeReason);
            _ = CutOffAsync(socket);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            Close("transport closed", flush: false);
        }
    }

    /// <summary>After the server's close frame the receive loop waits for the client's; a client that sends none within 2 s is cut off.</summary>
    private async Task CutOffAsync(WebSocket socket)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), _time);
        socket.Abort();
    }

    private static async Task SendFrameAsync(WebSocket socket, string text, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            await socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The text message whose first frame <paramref name="first"/> announced (after a zero-byte read), or null when the
    /// client closed; a message over the payload limit, or a binary one, closes the session.
    /// </summary>
    private async ValueTask<string?> ReceiveTextAsync(WebSocket socket, ValueWebSocketReceiveResult first)
    {
        if (first.MessageType == WebSocketMessageType.Close)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        var length = 0;
        try
        {
            if (first.MessageType != WebSocketMessageType.Text)
            {
                Close("binary frames are not part of this protocol", flush: false);
                return null;
            }

            var end = first.EndOfMessage;
            while (!end)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= _options.MaxPayloadBytes)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None);
                        Close("message too big", flush: false);
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxPayloadBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Close("binary frames are not part of this protocol", flush: false);
                    return null;
                }

                length += result.Count;
                end = result.EndOfMessage;
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task CloseSocketAsync(WebSocket socket, string reason)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason.Length <= 100 ? reason : reason[..100], timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            socket.Abort();
        }
    }
}
