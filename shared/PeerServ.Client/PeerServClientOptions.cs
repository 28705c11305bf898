using System.ComponentModel.DataAnnotations;

namespace PeerServ.Client;

/// <summary>How a <see cref="PeerServClient"/> reaches its relay (configuration section "PeerServ" with <c>AddPeerServClient</c>).</summary>
public sealed class PeerServClientOptions
{
    public const string SectionName = "PeerServ";

    /// <summary>The relay's URL (the gateway's, or the standalone host's).</summary>
    public Uri? Relay { get; set; }

    /// <summary>This identity's private key, 64 hex characters.</summary>
    public string? PrivateKey { get; set; }

    public PeerServProtocol Protocol { get; set; } = PeerServProtocol.Brc104;

    /// <summary>When set, the relay must prove this identity key (BRC-104 handshakes and live connections), or calls fail.</summary>
    public string? ServerKey { get; set; }

    /// <summary>Retries of one call after a 503 or 429 (honouring Retry-After), a timeout or a network error. Resending is safe: an identical send is recognised as a duplicate.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; each next one doubles it (with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest one call may take, retries included (a long-poll list waits up to its waitSeconds inside it).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);
}
