using System.Globalization;
using PeerServ.Relay.Errors;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace PeerServ.Gateway;

internal static class RetryableUpstreamErrors
{
    /// <summary>
    /// A service that is restarting, draining or gone answers nothing a client can use (YARP's 502/504, a reset
    /// connection mid-flight, or no destination at all): turn that into 503 ERR_SERVICE_UNAVAILABLE with Retry-After, which clients may retry.
    /// The auth middleware then signs it like any answer.
    /// </summary>
    public static IReverseProxyApplicationBuilder UseRetryable503(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            await next();
            // YARP's own 503 (no destination resolved or available) has no error feature and no body; nor has a
            // bodiless 503 of the service itself, which is told apart by the destinations the route had.
            var error = context.GetForwarderErrorFeature()?.Error.ToString() ?? (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable
                ? context.GetReverseProxyFeature().AvailableDestinations.Count == 0 ? "no destination" : "an empty 503 from the service"
                : null);
            if (error is not null && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers.RetryAfter = RelayErrors.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await RelayErrors.ServiceUnavailable.With(
                    string.Create(CultureInfo.InvariantCulture, $"The service behind this route is unavailable ({error}); retry the request.")).WriteAsync(context);
            }
        });
        return proxy;
    }
}
