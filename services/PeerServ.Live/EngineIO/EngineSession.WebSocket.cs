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
    public async Task RunWebSocketAsync(WebSocket socket, CancellationToken stopping)
    {
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var upgrading = Transport == EngineTransport.Polling;
        if (!upgrading)
        {
            _socket = socket;
        }

        var writer = upgrading ? Task.CompletedTask : WriteLoopAsync(socket, receiving);
        try
        {
            while (!IsClosed)
            {
                var text = await ReceiveTextAsync(socket, receiving.Token);
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
                    await SendFrameAsync(socket, EnginePacket.ProbePong, receiving.Token);
                    CancelPoll(probed: true);
                }
                else if (text == EnginePacket.Upgrade && !IsClosed)
                {
                    _socket = socket;
                    Transport = EngineTransport.WebSocket;
                    upgrading = false;
                    CancelPoll(probed: true);
                    writer = WriteLoopAsync(socket, receiving);
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
    private async Task WriteLoopAsync(WebSocket socket, CancellationTokenSource receiving)
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
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            Close("transport closed", flush: false);
        }

        receiving.CancelAfter(TimeSpan.FromSeconds(2));
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
    /// The next text message, or null when the client closed. It waits with a zero-byte read, so an idle socket holds
    /// no receive buffer; a message over the payload limit, or a binary one, closes the session.
    /// </summary>
    private async Task<string?> ReceiveTextAsync(WebSocket socket, CancellationToken stopping)
    {
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, stopping);
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
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", stopping);
                        Close("message too big", flush: false);
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _options.MaxPayloadBytes));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(length), stopping);
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
