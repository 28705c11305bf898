using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Protocol;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Http;

namespace PeerServ.Auth.Server;

/// <summary>
/// Authenticates every request (BRC-104 or BRC-31), exposes the one verified identity as <see cref="PeerIdentity"/>,
/// and signs every response the handler (or a reverse proxy) produces. Failures before verification are unsigned,
/// so that real clients re-handshake on a 401; everything after verification is signed and never empty.
/// </summary>
internal sealed partial class PeerServAuthMiddleware(
    RequestDelegate next,
    ServerIdentity server,
    Brc104SessionTable sessions,
    AuthriteNonces nonces,
    AuthLimits limits,
    TimeProvider time,
    IOptions<PeerServAuthOptions> options,
    ILogger<PeerServAuthMiddleware> logger)
{
    private static readonly byte[] SuccessBody = """{"status":"success"}"""u8.ToArray();
    private readonly PeerServAuthOptions _options = options.Value;
    private readonly NonceReplayCache _authriteReplay = new(options.Value.AuthriteReplayWindow, options.Value.MaxReplayEntries, time);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = request.Headers;
        var hasBrc104 = headers.ContainsKey(AuthHeaders.RequestId) || headers.ContainsKey(AuthHeaders.Version);
        var hasAuthrite = headers.ContainsKey(AuthHeaders.Authrite);
        if (IsOpenPath(request.Path) || (HttpMethods.IsOptions(request.Method) && !hasBrc104 && !hasAuthrite))
        {
            if (HttpMethods.IsPost(request.Method) && HandshakeEndpoints.IsHandshakePath(request.Path)
                && !limits.TryAcquireHandshake(ClientAddress.PartitionKey(context), out var wait))
            {
                // Unsigned, like every answer before a session exists.
                var seconds = RetryAfterSeconds(wait);
                await RejectAsync(context, new AuthRejection(RelayErrors.RateLimited, $"Too many requests; retry in {seconds} s."), seconds);
                return;
            }

            await next(context);
            return;
        }

        AuthExchange exchange;
        try
        {
            exchange = hasBrc104 ? Brc104Exchange.Prepare(context, server, sessions, _options.MaxAuthHeaderLength)
                : hasAuthrite ? AuthriteExchange.Prepare(context, server, nonces, _authriteReplay, _options)
                : throw new AuthRejection(RelayErrors.Unauthorized, "Mutual authentication is required (BRC-104 at /.well-known/auth or BRC-31 at /authrite/initialRequest).");
        }
        catch (AuthRejection rejection)
        {
            await RejectAsync(context, rejection);
            return;
        }

        using var body = await BoundedBody.ReadAsync(request, _options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is null)
        {
            // Unsigned: nothing is signed before the request verifies, or a signature could be had for any request id and
            // nonce (the signing oracle the security review found). Clients read an unsigned non-401 as an error.
            await RejectAsync(context, new AuthRejection(RelayErrors.RequestTooLarge, $"The request body is larger than the limit of {_options.MaxRequestBodyBytes} bytes."));
            return;
        }

        // Unverified work is charged to the client address: an address that spent its budget gets no verification at all.
        var address = ClientAddress.PartitionKey(context);
        if (!limits.MayVerify(address))
        {
            await RejectAsync(context, new AuthRejection(RelayErrors.RateLimited, "Too many failed or first-time verifications from this address; retry later."), retryAfterSeconds: 1);
            return;
        }

        var charged = !server.Deriver.IsCached(exchange.Signer);
        if (charged)
        {
            // A key exchange the server has not cached costs it an ECDH: a new identity per request pays for it here.
            limits.ChargeUnverified(address);
        }

        try
        {
            exchange.VerifySignature(context, body.Memory.Span);
        }
        catch (AuthRejection rejection)
        {
            if (!charged)
            {
                limits.ChargeUnverified(address);
            }

            await RejectAsync(context, rejection);
            return;
        }

        // The identity's rate before its nonce is recorded: a refused request takes no place in replay memory.
        if (!limits.TryAcquireRequest(exchange.Signer.Hex, out var retryAfter))
        {
            // Verified, so signed like any answer (its nonce stays unrecorded: the client may send it again).
            var seconds = RetryAfterSeconds(retryAfter);
            AuthMetrics.Rejected(RelayErrors.RateLimited.Code);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteSignedAsync(context, exchange, RelayErrors.RateLimited.With($"Too many requests; retry in {seconds} s.").ToJson());
            return;
        }

        try
        {
            exchange.RecordNonce();
        }
        catch (AuthRejection rejection)
        {
            await RejectAsync(context, rejection);
            return;
        }

        context.Features.Set(exchange.Identity);
        context.Features.Set(new VerifiedRequestBody(body.Memory));
        request.Body = body.AsStream();
        await RunAndSignAsync(context, exchange);
    }

    private bool IsOpenPath(PathString path) =>
        path.Equals(HandshakeEndpoints.Brc104Path, StringComparison.OrdinalIgnoreCase)
        || path.Equals(HandshakeEndpoints.AuthritePath, StringComparison.OrdinalIgnoreCase)
        || RelayPaths.IsUnder(path, _options.AnonymousPathPrefixes);

    private async Task RunAndSignAsync(HttpContext context, AuthExchange exchange)
    {
        var response = context.Response;
        var originalBody = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogHandlerFailed(logger, ex, context.Request.Path);
            response.Clear();
            response.StatusCode = StatusCodes.Status500InternalServerError;
            buffer.SetLength(0);
            buffer.Write(RelayErrors.Internal.ToJson());
        }
        finally
        {
            response.Body = originalBody;
        }

        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (body.IsEmpty)
        {
            // An empty authenticated body is read differently by current TS clients (VarInt 0) and servers (-1): never send one.
            body = response.StatusCode < 400 ? SuccessBody : RelayErrors.ForStatus(response.StatusCode).ToJson();
            if (response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
            {
                response.StatusCode = StatusCodes.Status200OK;
            }

            response.ContentType ??= "application/json";
        }

        await WriteSignedAsync(context, exchange, body);
    }

    private static async Task WriteSignedAsync(HttpContext context, AuthExchange exchange, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.ContentType ??= "application/json";
        exchange.Sign(response, body.Span);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static int RetryAfterSeconds(TimeSpan wait) => (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds));

    private Task RejectAsync(HttpContext context, AuthRejection rejection, int? retryAfterSeconds = null)
    {
        LogRejected(logger, rejection.Error.Code, context.Request.Path, rejection.Message);
        AuthMetrics.Rejected(rejection.Error.Code);
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return rejection.Error.WriteAsync(context);
    }

    // Debug: unauthenticated junk must not fill the logs; the peerserv.auth.rejections counter (/metrics) counts every one by code.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Auth rejected {Code} on {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string code, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler failed on {Path}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, PathString path);
}
