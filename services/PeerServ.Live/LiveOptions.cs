using System.ComponentModel.DataAnnotations;

namespace PeerServ.Live;

/// <summary>Configuration section "Live": the socket endpoint's heartbeat, sizes and limits.</summary>
public sealed class LiveOptions
{
    public const string SectionName = "Live";

    /// <summary>How often the server pings each connection (Engine.IO pingInterval).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How long a pong may take before the connection is dropped (Engine.IO pingTimeout).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Largest Engine.IO payload (a polling body, a WebSocket message). A live send carries its body about 4.5 times
    /// inflated (base64 inside JSON inside a number array), so the default is 5 × the 1 MiB message limit + 8 KiB.
    /// </summary>
    [Range(64 * 1024, 64 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = (5 << 20) + (8 << 10);

    /// <summary>Characters queued for one connection that does not read before it is dropped.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int MaxQueuedChars { get; set; } = 32 << 20;

    /// <summary>A connection that has not completed its BRC-103 handshake and one verified message by then is closed (Socket.IO disconnect).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AuthenticationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Engine.IO sessions one process holds; over it a new connection gets 503.</summary>
    [Range(1, 10_000_000)]
    public int MaxConnections { get; set; } = 20_000;

    /// <summary>Authenticated connections of one identity per process; one more is refused and closed.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerIdentity { get; set; } = 25;

    /// <summary>Socket sends per connection per second, sustained (bursts of twice as many); 0 turns the limit off.</summary>
    [Range(0, 100_000)]
    public int SendsPerSecond { get; set; } = 10;

    /// <summary>Socket sends of one connection waiting for their ack; one more is answered with an error ack at once.</summary>
    [Range(1, 1_000)]
    public int MaxSendsInFlight { get; set; } = 4;

    /// <summary>
    /// Ingest's internal base URL (the live deployable sends socket sends there, with the gateway's assertion); the
    /// standalone host sends in process and ignores it.
    /// </summary>
    public string? IngestUrl { get; set; }

    /// <summary>How long a socket send may take before it is answered with an error ack (the client then sends over HTTP).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(8);
}
