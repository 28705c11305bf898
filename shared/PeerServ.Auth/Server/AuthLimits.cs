using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace PeerServ.Auth.Server;

/// <summary>
/// Every limit of the auth layer, in the order that makes them cheap to enforce and hard to dodge: handshakes per
/// client address under a ceiling for all addresses together (each costs the server a signature, unauthenticated);
/// per client address, before any signature is checked, a budget of unverified work (each failed verification and
/// each first verification of an identity whose key exchange is not cached — a new identity per BRC-31 request
/// spends it); per verified identity, after the signature and before its nonce is recorded, the request rate — so
/// a refused request takes no place in replay memory.
/// </summary>
/// <remarks>
/// One partitioned limiter holds every bucket, keyed by kind and name: each partitioned limiter runs a
/// housekeeping timer ten times a second whether or not anyone calls, so one of them instead of four is 30 fewer
/// wake-ups a second for a relay at rest.
/// </remarks>
public sealed class AuthLimits : IDisposable
{
    // Keys: a kind letter, then the address or identity; "h*" is the ceiling for all addresses together.
    private const char Handshakes = 'h';
    private const char Unverified = 'u';
    private const char Identity = 'i';
    private const string AllHandshakes = "h*";

    private readonly PartitionedRateLimiter<string> _buckets;

    public AuthLimits(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _buckets = PartitionedRateLimiter.Create<string, string>(key => key[0] switch
        {
            Handshakes when key == AllHandshakes => Bucket(key, o.HandshakesPerSecondTotal, o.HandshakesPerSecondTotal, o.HandshakesPerSecondTotal),
            Handshakes => Bucket(key, o.HandshakesPerMinute, o.HandshakesPerMinute, Math.Max(1, o.HandshakesPerMinute / 60)),
            Unverified => Bucket(key, o.UnverifiedPerMinute, o.UnverifiedPerMinute, Math.Max(1, o.UnverifiedPerMinute / 60)),
            Identity => Bucket(key, o.RequestsPerSecond, o.RequestBurst, o.RequestsPerSecond),
            _ => throw new ArgumentException($"Not a limiter key: {key}", nameof(key)),
        });
    }

    /// <summary>
    /// One handshake from this address: false (with when to retry) when the address, or all addresses together,
    /// are over their rate.
    /// </summary>
    public bool TryAcquireHandshake(string address, out TimeSpan retryAfter) =>
        TryAcquire(AllHandshakes, out retryAfter) && TryAcquire(Handshakes + address, out retryAfter);

    /// <summary>Whether this address has unverified work left; when not, its requests are refused before any verification.</summary>
    public bool MayVerify(string address) => _buckets.GetStatistics(Unverified + address) is not { CurrentAvailablePermits: <= 0 };

    /// <summary>Spends one unit of the address's unverified-work budget (a failure, or a key exchange not cached yet).</summary>
    public void ChargeUnverified(string address)
    {
        using var lease = _buckets.AttemptAcquire(Unverified + address);
    }

    /// <summary>One request of a verified identity; false (with when to retry) over its rate.</summary>
    public bool TryAcquireRequest(string identity, out TimeSpan retryAfter) => TryAcquire(Identity + identity, out retryAfter);

    public void Dispose() => _buckets.Dispose();

    private bool TryAcquire(string key, out TimeSpan retryAfter)
    {
        using var lease = _buckets.AttemptAcquire(key);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    /// <summary>A token bucket of <paramref name="limit"/> tokens refilled by <paramref name="perSecond"/> a second; none when <paramref name="rate"/> is 0 (the limit is off).</summary>
    private static RateLimitPartition<string> Bucket(string key, int rate, int limit, int perSecond) => rate == 0
        ? RateLimitPartition.GetNoLimiter(key)
        : RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
}
