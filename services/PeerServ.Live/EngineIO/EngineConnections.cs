using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;

namespace PeerServ.Live.EngineIO;

/// <summary>
/// Kestrel connection middleware that serves a connection whose first request is a plain Engine.IO WebSocket
/// upgrade itself, off the HTTP request pipeline. An upgraded WebSocket served by ASP.NET Core keeps its whole request
/// alive for as long as the socket lives — the HTTP/1 connection, request and response headers, the HttpContext,
/// its DI scope and Activity, every middleware awaiting it — ≈ 8 KB more per idle socket than the socket needs. Here
/// the connection keeps only the transport and the WebSocket (System.Net.WebSockets over the connection's pipes).
/// Every other connection — other requests, polling, a head this does not recognise, an upgrade the server refuses
/// (which then gets its Engine.IO error from the endpoint) — goes on to ASP.NET Core with nothing consumed.
/// </summary>
internal sealed class EngineConnections(EngineServer engine, IOptions<ForwardedHeadersOptions> forwarded)
{
    /// <summary>How long a connection may take to send its first request head before ASP.NET Core (and its own timeouts) take over.</summary>
    public static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(10);

    private static readonly byte[] SwitchingProtocols = Encoding.ASCII.GetBytes("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ");

    /// <summary>Connections served here since the start (for tests and diagnostics).</summary>
    public long Served => Interlocked.Read(ref _served);

    private long _served;

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var session = await TakeAsync(connection);
        if (session is null)
        {
            await next(connection);
            return;
        }

        Interlocked.Increment(ref _served);
        using var socket = WebSocket.CreateFromStream(new DuplexPipeStream(connection.Transport), new WebSocketCreationOptions
        {
            IsServer = true,
            // Engine.IO has its own heartbeat.
            KeepAliveInterval = TimeSpan.Zero,
        });
        await session.RunWebSocketAsync(socket);
    }

    /// <summary>
    /// Peeks at the first request head. When it is an upgrade this server takes, consumes the head, answers 101 and
    /// returns the session; otherwise leaves every byte for ASP.NET Core.
    /// </summary>
    private async Task<EngineSession?> TakeAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(HeadTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Slow or idle (a pre-opened connection, say): ASP.NET Core's limits decide from here.
                return null;
            }

            var buffer = result.Buffer;
            var status = WebSocketUpgradeHead.TryParse(buffer, out var head, out var length);
            if (status == UpgradeHeadStatus.NeedMore && !result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            var session = status == UpgradeHeadStatus.Upgrade ? Take(connection, head!) : null;
            input.AdvanceTo(session is null ? buffer.Start : buffer.GetPosition(length));
            if (session is null)
            {
                return null;
            }

            try
            {
                var output = connection.Transport.Output;
                output.Write(SwitchingProtocols);
                output.Write(Encoding.ASCII.GetBytes(head!.AcceptKey() + "\r\n\r\n"));
                await output.FlushAsync(connection.ConnectionClosed);
            }
            catch
            {
                session.Abandon();
                throw;
            }

            return session;
        }
    }

    private EngineSession? Take(ConnectionContext connection, WebSocketUpgradeHead head)
    {
        if (head.Query.GetValueOrDefault("EIO") != "4" || head.Query.GetValueOrDefault("transport") != "websocket")
        {
            return null;
        }

        var remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        var client = ClientAddress.Behind(remote, head.ForwardedFor, forwarded.Value);
        return engine.TakeWebSocket(head.Query.GetValueOrDefault("sid").ToString(), head.ReplicaTag ?? "", ClientAddress.PartitionKey(client));
    }
}
