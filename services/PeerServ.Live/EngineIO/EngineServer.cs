using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PeerServ.Live.EngineIO;

/// <summary>Engine.IO's heartbeat and size settings, from <see cref="LiveOptions"/>.</summary>
internal sealed record EngineOptions(TimeSpan PingInterval, TimeSpan PingTimeout, int MaxPayloadBytes, int MaxQueuedChars, int MaxConnections)
{
    public static EngineOptions From(LiveOptions live) => new(live.PingInterval, live.PingTimeout, live.MaxPayloadBytes, live.MaxQueuedChars, live.MaxConnections);
}

/// <summary>Creates the layer above for each new session (the Socket.IO connection).</summary>
internal interface IEngineHandlerFactory
{
    IEngineHandler Create(EngineSession session, HttpContext context);
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

        var sid = query["sid"].ToString();
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
            if (!context.WebSockets.IsWebSocketRequest || session.Transport != EngineTransport.Polling)
            {
                await ErrorAsync(context, 3, "Bad request");
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await session.RunWebSocketAsync(socket, context.RequestAborted);
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

        var direct = transport == "websocket";
        if (direct && !context.WebSockets.IsWebSocketRequest)
        {
            await ErrorAsync(context, 3, "Bad request");
            return;
        }

        if (!direct && !HttpMethods.IsGet(context.Request.Method))
        {
            await ErrorAsync(context, 2, "Bad handshake method");
            return;
        }

        var session = new EngineSession(NewSid(context.Request.Headers[ReplicaTagHeader].ToString()), direct ? EngineTransport.WebSocket : EngineTransport.Polling, _options, time, Remove);
        session.Attach(handlers.Create(session, context));
        _sessions[session.Id] = session;
        var open = EnginePacket.Open(session.Id, canUpgrade: !direct, _options.PingInterval, _options.PingTimeout, _options.MaxPayloadBytes);
        if (direct)
        {
            session.SendOpen(open);
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await session.RunWebSocketAsync(socket, context.RequestAborted);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/plain; charset=UTF-8";
        await context.Response.WriteAsync(open, context.RequestAborted);
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
