using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerServ.Relay.Options;
using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>Configuration section "RateLimits": what one client address and one identity may do.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Handshakes (either protocol) per client address per minute; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int HandshakesPerMinute { get; set; } = 300;

    /// <summary>Sustained authenticated requests per identity per second; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Requests an identity may burst above the sustained rate.</summary>
    [Range(1, 10_000_000)]
    public int RequestBurst { get; set; } = 400;
}

/// <summary>
/// ASP.NET Core rate limiting at the edge: a token bucket per client address on the handshake endpoints (they
/// cost the server a signature each and are unauthenticated) and per verified identity on everything else.
/// Refusals are 429 with Retry-After and the JSON error shape; after authentication they are signed like any answer.
/// </summary>
public static class RateLimits
{
    public const string HandshakePolicy = "peerserv-handshake";

    internal static IServiceCollection AddPeerServRateLimits(this IServiceCollection services)
    {
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, rateLimits) =>
        {
            var options = rateLimits.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancel) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                AuthMetrics.Rejected(RelayErrors.RateLimited.Code);
                await RelayErrors.RateLimited.With($"Too many requests; retry in {retryAfter} s.").WriteAsync(context.HttpContext);
            };
            limiter.AddPolicy(HandshakePolicy, context => options.HandshakesPerMinute == 0
                ? RateLimitPartition.GetNoLimiter("unlimited")
                : RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.HandshakesPerMinute,
                    TokensPerPeriod = Math.Max(1, options.HandshakesPerMinute / 60),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetPeerIdentity() is not { } identity || options.RequestsPerSecond == 0
                    ? RateLimitPartition.GetNoLimiter("anonymous")
                    : RateLimitPartition.GetTokenBucketLimiter(identity.IdentityKey.Hex, _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.RequestBurst,
                        TokensPerPeriod = options.RequestsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    }));
        });
        return services;
    }
}
