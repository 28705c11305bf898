using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace PeerServ.Auth.Server;

/// <summary>
/// The limits the auth middleware applies itself, in the order that makes them cheap to enforce and hard to dodge:
/// per client address, before any signature is checked, a budget of unverified work (each failed verification and
/// each first verification of an identity whose key exchange is not cached — a new identity per BRC-31 request
/// spends it); per verified identity, after the signature and before its nonce is recorded, the request rate — so
/// a refused request takes no place in replay memory.
/// </summary>
public sealed class AuthLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _unverified;
    private readonly PartitionedRateLimiter<string> _identities;

    public AuthLimits(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _unverified = PartitionedRateLimiter.Create<string, string>(address => o.UnverifiedPerMinute == 0
            ? RateLimitPartition.GetNoLimiter(address)
            : RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.UnverifiedPerMinute,
                TokensPerPeriod = Math.Max(1, o.UnverifiedPerMinute / 60),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            }));
        _identities = PartitionedRateLimiter.Create<string, string>(identity => o.RequestsPerSecond == 0
            ? RateLimitPartition.GetNoLimiter(identity)
            : RateLimitPartition.GetTokenBucketLimiter(identity, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.RequestBurst,
                TokensPerPeriod = o.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            }));
    }

    /// <summary>Whether this address has unverified work left; when not, its requests are refused before any verification.</summary>
    public bool MayVerify(string address) => _unverified.GetStatistics(address) is not { CurrentAvailablePermits: <= 0 };

    /// <summary>Spends one unit of the address's unverified-work budget (a failure, or a key exchange not cached yet).</summary>
    public void ChargeUnverified(string address)
    {
        using var lease = _unverified.AttemptAcquire(address);
    }

    /// <summary>One request of a verified identity; false (with when to retry) over its rate.</summary>
    public bool TryAcquireRequest(string identity, out TimeSpan retryAfter)
    {
        using var lease = _identities.AttemptAcquire(identity);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _unverified.Dispose();
        _identities.Dispose();
    }
}
