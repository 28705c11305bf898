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

    /// <summary>Handshakes (either protocol) per client address (IPv6: per /64) per minute; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int HandshakesPerMinute { get; set; } = 300;

    /// <summary>Handshakes per second from all addresses together: the ceiling a flood from many addresses meets; 0 turns it off.</summary>
    [Range(0, 1_000_000)]
    public int HandshakesPerSecondTotal { get; set; } = 1000;

    /// <summary>
    /// Unverified work per client address per minute: each failed request verification, and each verification of an
    /// identity whose key exchange the server has not cached yet, spends one; an address with none left gets 429
    /// before any signature is checked. 0 turns the limit off.
    /// </summary>
    [Range(0, 10_000_000)]
    public int UnverifiedPerMinute { get; set; } = 600;

    /// <summary>Sustained authenticated requests per identity per second; 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Requests an identity may burst above the sustained rate.</summary>
    [Range(1, 10_000_000)]
    public int RequestBurst { get; set; } = 400;
}

/// <summary>
/// ASP.NET Core rate limiting at the edge for the handshake endpoints (they cost the server a signature each and are
/// unauthenticated): a token bucket per client address, under a global ceiling. Refusals are 429 with Retry-After and
/// the JSON error shape. The limits on requests (per address before verification, per identity after) are the auth
/// middleware's own (<see cref="AuthLimits"/>).
/// </summary>
public static class RateLimits
{
    public const string HandshakePolicy = "peerserv-handshake";

    internal static IServiceCollection AddPeerServRateLimits(this IServiceCollection services)
    {
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddSingleton<AuthLimits>();
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
                : RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(context), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.HandshakesPerMinute,
                    TokensPerPeriod = Math.Max(1, options.HandshakesPerMinute / 60),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                options.HandshakesPerSecondTotal == 0 || !HandshakeEndpoints.IsHandshakePath(context.Request.Path)
                    ? RateLimitPartition.GetNoLimiter("other")
                    : RateLimitPartition.GetTokenBucketLimiter("handshakes", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.HandshakesPerSecondTotal,
                        TokensPerPeriod = options.HandshakesPerSecondTotal,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                    }));
        });
        return services;
    }
}
