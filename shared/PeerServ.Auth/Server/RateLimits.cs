using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Relay.Options;

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

/// <summary>The auth layer's limits (<see cref="AuthLimits"/>): options validated at start-up, one limiter for all of them.</summary>
public static class RateLimits
{
    internal static IServiceCollection AddPeerServRateLimits(this IServiceCollection services)
    {
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddSingleton<AuthLimits>();
        return services;
    }
}
