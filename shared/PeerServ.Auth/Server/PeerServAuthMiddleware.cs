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

        try
        {
            exchange.Verify(context, body.Memory.Span);
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

    private Task RejectAsync(HttpContext context, AuthRejection rejection)
    {
        LogRejected(logger, rejection.Error.Code, context.Request.Path, rejection.Message);
        AuthMetrics.Rejected(rejection.Error.Code);
        return rejection.Error.WriteAsync(context);
    }

    // Debug: unauthenticated junk must not fill the logs; the peerserv.auth.rejections counter (/metrics) counts every one by code.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Auth rejected {Code} on {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string code, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler failed on {Path}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, PathString path);
}
