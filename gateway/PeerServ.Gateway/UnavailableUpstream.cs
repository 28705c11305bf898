using System.Globalization;
using PeerServ.ServiceDefaults;
using Yarp.ReverseProxy.Forwarder;

namespace PeerServ.Gateway;

internal static class UnavailableUpstream
{
    /// <summary>
    /// A service that is restarting, draining or gone answers nothing a client can use (YARP's 502/504, or a reset
    /// connection mid-flight): turn that into 503 ERR_SERVICE_UNAVAILABLE with Retry-After, which clients may retry.
    /// The auth middleware then signs it like any answer.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseUnavailableAsRetryable(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            await next();
            if (context.GetForwarderErrorFeature() is { } error && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = "1";
                await ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "ERR_SERVICE_UNAVAILABLE",
                    string.Create(CultureInfo.InvariantCulture, $"The service behind this route is unavailable ({error.Error}); retry the request.")).ExecuteAsync(context);
            }
        });
        return proxy;
    }
}
