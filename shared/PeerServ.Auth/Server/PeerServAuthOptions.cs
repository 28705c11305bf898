using System.ComponentModel.DataAnnotations;
using PeerServ.Relay;

namespace PeerServ.Auth.Server;

/// <summary>Configuration section "Auth". Validated at start-up: a host without a valid server key does not start.</summary>
public sealed class PeerServAuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The server identity private key, 64 hex characters. Secret: from the environment (Auth__ServerPrivateKey).</summary>
    [Required(ErrorMessage = "is required: 64 hex characters of a secp256k1 private key.")]
    public string ServerPrivateKey { get; set; } = "";

    /// <summary>A BRC-104 session unused for this long is forgotten; the client re-handshakes after an unsigned 401.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Most BRC-104 sessions one process remembers; the least recently used go first.</summary>
    [Range(16, 10_000_000)]
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>Most request nonces remembered for replay detection, over all sessions and both protocols.</summary>
    [Range(1024, 100_000_000)]
    public int MaxReplayEntries { get; set; } = 1_000_000;

    /// <summary>
    /// Most request nonces one BRC-104 session records; a session that reaches it takes no more requests (an unsigned
    /// 401 ERR_SESSION_NOT_FOUND, after which real clients handshake again), so no one session holds the replay memory.
    /// </summary>
    [Range(16, 100_000_000)]
    public int MaxNoncesPerSession { get; set; } = 100_000;

    /// <summary>
    /// Longest a BRC-104 session lives however busy it is (its issue time is sealed in its nonce); then the client gets
    /// an unsigned 401 and handshakes again, as real clients do by themselves. Bounds how long a captured request of
    /// the session could be replayed to a replica that has not seen it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan SessionMaxLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a BRC-31 server nonce (from /authrite/initialRequest or any signed response) is accepted; its issue
    /// time is sealed in it. Bounds how long a captured BRC-31 request could be replayed anywhere.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan AuthriteServerNonceLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a BRC-31 request nonce is remembered (BRC-31 has no sessions to scope it): at least the server-nonce
    /// lifetime, so that within one process a request is accepted once for as long as it could be accepted at all.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan AuthriteReplayWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest authenticated request body read for verification; larger gets a 413 before it is buffered.</summary>
    [Range(1024, 1L << 31)]
    public long MaxRequestBodyBytes { get; set; } = (1 << 20) + (64 << 10);

    /// <summary>Longest accepted value of any auth header, in characters.</summary>
    [Range(256, 65_536)]
    public int MaxAuthHeaderLength { get; set; } = 4096;

    /// <summary>Public origin clients use (e.g. https://relay.example.com), for BRC-31 GET/HEAD, whose signature covers the full URL.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Path prefixes served without authentication: a security list, by default <see cref="RelayPaths.Anonymous"/>
    /// (health, metrics, API docs). Anything a host adds here is open to every caller.
    /// </summary>
    public IList<string> AnonymousPathPrefixes { get; } = [.. RelayPaths.Anonymous];
}
