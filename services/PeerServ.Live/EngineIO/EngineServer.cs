using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;

namespace PeerServ.Live.EngineIO;

/// <summary>Engine.IO's heartbeat and size settings, from <see cref="LiveOptions"/>.</summary>
internal sealed record EngineOptions(TimeSpan PingInterval, TimeSpan PingTimeout, int MaxPayloadBytes, int MaxQueuedChars, int MaxConnections)
{
    public static EngineOptions From(LiveOptions live) => new(live.PingInterval, live.PingTimeout, live.MaxPayloadBytes, live.MaxQueuedChars, live.MaxConnections);
}

/// <summary>Creates the layer above for each new session (the Socket.IO connection); the client key is what per-address limits key on.</summary>
internal interface IEngineHandlerFactory
{
    IEngineHandler Create(EngineSession session, string clientKey);
}

/// <summary>
/// The Engine.IO 4 endpoint at /socket.io/: opens sessions (polling, or a direct WebSocket), answers polling GETs and
/// POSTs, takes WebSocket upgrades, and keeps every session's heartbeat. Session ids are "&lt;tag&gt;.&lt;random&gt;"
/// when the gateway names this replica with <see cref="ReplicaTagHeader"/>, so it can route a session's later
/// requests back here without cookies.
/// </summary>
internal sealed partial class EngineServer(IOptions<LiveOptions> options, IEngineHandlerFactory handlers, TimeProvider time, ILogger<EngineServer> logger)
{
    /// <summary>Set by the gateway on the requests it routes here: the tag by which it recognises this replica.</summary>
    public const string ReplicaTagHeader = "x-peerserv-live-tag";

    private readonly ConcurrentDictionary<string, EngineSession> _sessions = new(StringComparer.Ordinal);
    private readonly EngineOptions _options = EngineOptions.From(options.Value);
    private Action<EngineSession>? _remove;

    public int SessionCount => _sessions.Count;

    /// <summary>Set when the host stops: no new session is opened.</summary>
    public bool Stopping { get; set; }

    public IEnumerable<EngineSession> Sessions => _sessions.Values;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.Headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsOptions(request.Method))
        {
            response.Headers.AccessControlAllowMethods = "GET, POST";
            response.Headers.AccessControlAllowHeaders = "Content-Type";
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var query = request.Query;
        if (query["EIO"] != "4")
        {
            await ErrorAsync(context, 5, "Unsupported protocol version");
            return;
        }

        var transport = query["transport"].ToString();
        if (transport is not ("polling" or "websocket"))
        {
            await ErrorAsync(context, 0, "Transport unknown");
            return;
        }

        if (transport == "polling")
        {
            // Polling answers close their connection, so a proxy that pools its connections here (the gateway) opens
            // a fresh one for the WebSocket upgrade that follows, which is then served off the request pipeline
            // (EngineConnections); on a reused connection it would carry a whole HTTP request for its lifetime.
            response.Headers.Connection = "close";
        }

        var sid = query["sid"].ToString();
        if (transport == "websocket" && context.WebSockets.IsWebSocketRequest
            && TakeWebSocket(sid, context.Request.Headers[ReplicaTagHeader].ToString(), ClientAddress.PartitionKey(context)) is { } taken)
        {
            WebSocket socket;
            try
            {
                socket = await context.WebSockets.AcceptWebSocketAsync();
            }
            catch
            {
                taken.Abandon();
                throw;
            }

            using (socket)
            {
                await taken.RunWebSocketAsync(socket);
            }

            return;
        }

        if (sid.Length == 0)
        {
            await OpenAsync(context, transport);
            return;
        }

        if (!_sessions.TryGetValue(sid, out var session) || session.IsClosed)
        {
            await ErrorAsync(context, 1, "Session ID unknown");
            return;
        }

        if (transport == "websocket")
        {
            // Not a WebSocket request, or a session that is not (or no longer) on polling.
            await ErrorAsync(context, 3, "Bad request");
            return;
        }

        if (HttpMethods.IsGet(request.Method))
        {
            var poll = await session.PollAsync(context.RequestAborted);
            if (poll.Payload is null)
            {
                await ErrorAsync(context, 3, "Bad request");
                return;
            }

            response.Headers.CacheControl = "no-store";
            response.ContentType = "text/plain; charset=UTF-8";
            await response.WriteAsync(poll.Payload, context.RequestAborted);
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            var payload = await ReadPayloadAsync(request, _options.MaxPayloadBytes, context.RequestAborted);
            if (payload is null)
            {
                session.Close("payload too large", flush: false);
                response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }

            session.Receive(payload);
            response.ContentType = "text/html";
            await response.WriteAsync("ok", context.RequestAborted);
            return;
        }

        await ErrorAsync(context, 2, "Bad handshake method");
    }

    /// <summary>Heartbeat for every session; called about once a second.</summary>
    public void Tick()
    {
        foreach (var session in _sessions.Values)
        {
            session.Tick();
        }
    }

    public void Remove(EngineSession session) => _sessions.TryRemove(new KeyValuePair<string, EngineSession>(session.Id, session));

    private async Task OpenAsync(HttpContext context, string transport)
    {
        if (Stopping || _sessions.Count >= _options.MaxConnections)
        {
            LogFull(logger, _options.MaxConnections);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return;
        }

        if (transport == "websocket")
        {
            // A direct WebSocket connection that is not a WebSocket request (those are taken before this).
            await ErrorAsync(context, 3, "Bad request");
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await ErrorAsync(context, 2, "Bad handshake method");
            return;
        }

        var session = Open(context.Request.Headers[ReplicaTagHeader].ToString(), ClientAddress.PartitionKey(context), EngineTransport.Polling);
        var open = EnginePacket.Open(session.Id, canUpgrade: true, _options.PingInterval, _options.PingTimeout, _options.MaxPayloadBytes);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=UTF-8";
        await context.Response.WriteAsync(open, context.RequestAborted);
    }

    /// <summary>
    /// The session a WebSocket request is for, when this server takes it: a new session for a direct connection (its
    /// open packet queued), or the polling session it upgrades. Null when the request is refused (a full or stopping
    /// server, an unknown or closed session, one not on polling, another protocol version): the HTTP endpoint answers
    /// those with Engine.IO's errors.
    /// </summary>
    public EngineSession? TakeWebSocket(string sid, string replicaTag, string clientKey)
    {
        if (sid.Length == 0)
        {
            if (Stopping || _sessions.Count >= _options.MaxConnections)
            {
                return null;
            }

            var session = Open(replicaTag, clientKey, EngineTransport.WebSocket);
            session.SendOpen(EnginePacket.Open(session.Id, canUpgrade: false, _options.PingInterval, _options.PingTimeout, _options.MaxPayloadBytes));
            return session;
        }

        return _sessions.TryGetValue(sid, out var existing) && !existing.IsClosed && existing.Transport == EngineTransport.Polling ? existing : null;
    }

    private EngineSession Open(string replicaTag, string clientKey, EngineTransport transport)
    {
        var session = new EngineSession(NewSid(replicaTag), transport, _options, time, _remove ??= Remove);
        session.Attach(handlers.Create(session, clientKey));
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>"&lt;tag&gt;.&lt;20 random base64url characters&gt;", or just the random part without a (well-formed) tag.</summary>
    internal static string NewSid(string tag)
    {
        Span<byte> random = stackalloc byte[15];
        RandomNumberGenerator.Fill(random);
        var id = Convert.ToBase64String(random).Replace('+', '-').Replace('/', '_');
        return IsTag(tag) ? tag + "." + id : id;
    }

    /// <summary>A replica tag: 1–16 lowercase hex digits or letters, nothing a client could use to inject anything.</summary>
    internal static bool IsTag(string tag) => tag.Length is > 0 and <= 16 && tag.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'z'));

    /// <summary>The body of a polling POST as text, or null when it is larger than the payload limit.</summary>
    private static async Task<string?> ReadPayloadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Engine.IO's error answer: 400 with its JSON code and message.</summary>
    private static Task ErrorAsync(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($$"""{"code":{{code}},"message":"{{message}}"}""");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live connection refused: this process holds the most sessions allowed ({MaxConnections}, Live:MaxConnections)")]
    private static partial void LogFull(ILogger logger, int maxConnections);
}
