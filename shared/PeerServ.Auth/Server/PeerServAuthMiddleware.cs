using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Protocol;

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
                : throw new AuthRejection(401, "UNAUTHORIZED", "Mutual authentication is required (BRC-104 at /.well-known/auth or BRC-31 at /authrite/initialRequest).");
        }
        catch (AuthRejection rejection)
        {
            await RejectAsync(context, rejection);
            return;
        }

        byte[]? rented = null;
        try
        {
            int length;
            try
            {
                (rented, length) = await ReadBodyAsync(request, _options.MaxRequestBodyBytes, context.RequestAborted);
            }
            catch (AuthRejection tooLarge)
            {
                // The session is known, so even this refusal is signed and readable by the client.
                context.Response.StatusCode = tooLarge.Status;
                await WriteSignedAsync(context, exchange, AuthError.Body(tooLarge.Code, tooLarge.Message));
                return;
            }

            try
            {
                exchange.Verify(context, rented.AsSpan(0, length));
            }
            catch (AuthRejection rejection)
            {
                await RejectAsync(context, rejection);
                return;
            }

            context.Features.Set(exchange.Identity);
            request.Body = new MemoryStream(rented, 0, length, writable: false);
            await RunAndSignAsync(context, exchange);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private bool IsOpenPath(PathString path)
    {
        if (path.Equals(HandshakeEndpoints.Brc104Path, StringComparison.OrdinalIgnoreCase)
            || path.Equals(HandshakeEndpoints.AuthritePath, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var prefix in _options.AnonymousPathPrefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

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
            buffer.Write(AuthError.Body("ERR_INTERNAL", "An internal error has occurred."));
        }
        finally
        {
            response.Body = originalBody;
        }

        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (body.IsEmpty)
        {
            // An empty authenticated body is read differently by current TS clients (VarInt 0) and servers (-1): never send one.
            body = response.StatusCode < 400 ? SuccessBody : AuthError.Body(DefaultCode(response.StatusCode), DefaultDescription(response.StatusCode));
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
        LogRejected(logger, rejection.Code, context.Request.Path, rejection.Message);
        AuthMetrics.Rejected(rejection.Code);
        return AuthError.WriteUnsignedAsync(context, rejection.Status, rejection.Code, rejection.Message);
    }

    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpRequest request, long max, CancellationToken cancel)
    {
        if (request.ContentLength > max)
        {
            throw TooLarge(max);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 1, max));
        var length = 0;
        try
        {
            while (true)
            {
                var capacity = (int)Math.Min(buffer.Length, max);
                if (length == capacity)
                {
                    if (capacity >= max)
                    {
                        // One byte more than allowed proves the body is too large without reading the rest.
                        var probe = new byte[1];
                        if (await request.Body.ReadAsync(probe, cancel) > 0)
                        {
                            throw TooLarge(max);
                        }

                        break;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(max, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                    continue;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, capacity - length), cancel);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private static AuthRejection TooLarge(long max) =>
        new(StatusCodes.Status413PayloadTooLarge, "ERR_REQUEST_TOO_LARGE", $"The request body is larger than the limit of {max} bytes.");

    private static string DefaultCode(int status) => status switch
    {
        404 => "ERR_ROUTE_NOT_FOUND",
        405 => "ERR_METHOD_NOT_ALLOWED",
        413 => "ERR_REQUEST_TOO_LARGE",
        429 => "ERR_RATE_LIMITED",
        503 => "ERR_SERVICE_UNAVAILABLE",
        _ => $"ERR_HTTP_{status}",
    };

    private static string DefaultDescription(int status) => status switch
    {
        404 => "Route not found.",
        405 => "Method not allowed.",
        _ => $"The request failed with HTTP status {status}.",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth rejected {Code} on {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string code, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler failed on {Path}")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, PathString path);
}
