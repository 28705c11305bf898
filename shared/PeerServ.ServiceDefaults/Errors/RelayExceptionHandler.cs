using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PeerServ.Relay;
using PeerServ.Relay.Errors;

namespace PeerServ.ServiceDefaults.Errors;

/// <summary>
/// The one handler of unhandled exceptions, in every host: a store or broker outage (<see cref="ServiceUnavailableException"/>)
/// is 503 ERR_SERVICE_UNAVAILABLE with Retry-After, anything else 500 ERR_INTERNAL, both in the relay's error shape
/// (never ProblemDetails). Endpoints therefore never catch store outages themselves.
/// </summary>
internal sealed partial class RelayExceptionHandler(ILogger<RelayExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is ServiceUnavailableException)
        {
            LogUnavailable(logger, exception, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = RelayErrors.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RelayErrors.ServiceUnavailable.WriteAsync(httpContext);
        }
        else
        {
            LogFailed(logger, exception, httpContext.Request.Path);
            await RelayErrors.Internal.WriteAsync(httpContext);
        }

        return true;
    }

    /// <summary>The middleware's fallback, for an exception no handler took.</summary>
    public static Task WriteInternalAsync(HttpContext context) => RelayErrors.Internal.WriteAsync(context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unavailable dependency answering {Path}: 503")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception answering {Path}: 500")]
    private static partial void LogFailed(ILogger logger, Exception exception, PathString path);
}
