using System.ComponentModel.DataAnnotations;

namespace PeerServ.Relay;

/// <summary>Configuration section "Relay": the limits every relay endpoint enforces, with their defaults.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Relay";

    /// <summary>Largest message body in UTF-8 bytes; a larger send gets 413.</summary>
    [Range(1, 64 << 20)]
    public int MaxMessageBytes { get; set; } = 1 << 20;

    [Range(1, 10_000)]
    public int MaxRecipients { get; set; } = 100;

    /// <summary>Messages not acknowledged within this period expire: never listed, swept in the background.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Page size when a list names none: a whole normal box, so clients that never paginate keep working.</summary>
    [Range(1, 100_000)]
    public int ListDefaultLimit { get; set; } = 1000;

    [Range(1, 100_000)]
    public int ListMaxLimit { get; set; } = 1000;

    [Range(0, 10_000_000)]
    public int ListMaxOffset { get; set; } = 100_000;

    /// <summary>A page stops before its bodies exceed this many bytes (the rest follows with hasMore).</summary>
    [Range(1024, 1 << 30)]
    public int ListMaxResponseBytes { get; set; } = 8 << 20;

    /// <summary>Longest a list may wait for a message to arrive in an empty box.</summary>
    [Range(0, 300)]
    public int MaxWaitSeconds { get; set; } = 30;

    /// <summary>Most lists waiting at once in one process; beyond it a list answers at once.</summary>
    [Range(0, 1_000_000)]
    public int MaxWaiters { get; set; } = 10_000;

    /// <summary>Most lists one identity may have waiting at once in one process; beyond it its list answers at once.</summary>
    [Range(0, 1_000_000)]
    public int MaxWaitersPerIdentity { get; set; } = 16;

    /// <summary>Most messages one recipient may hold (unacknowledged) across its boxes; a send beyond it gets 429 ERR_QUOTA_EXCEEDED.</summary>
    [Range(1, 100_000_000)]
    public int MaxMessagesPerRecipient { get; set; } = 10_000;

    /// <summary>Most body bytes one recipient may hold across its boxes.</summary>
    [Range(1024, 1L << 40)]
    public long MaxBytesPerRecipient { get; set; } = 256L << 20;

    /// <summary>Most body bytes one sender may have accepted per <see cref="SenderQuotaWindow"/>, counted once per recipient.</summary>
    [Range(1024, 1L << 40)]
    public long MaxSenderBytesPerWindow { get; set; } = 512L << 20;

    /// <summary>The fixed window of the sender quota.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SenderQuotaWindow { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 100_000)]
    public int MaxAcknowledgeIds { get; set; } = 1000;

    /// <summary>Largest /listMessages (and other control) request body: a box name, paging and wait fields.</summary>
    [Range(1024, 1 << 20)]
    public int MaxListRequestBytes { get; set; } = 64 << 10;

    /// <summary>JSON envelope room per recipient: a 66-character key and its messageId (≤ 256 bytes, escaped) with quotes and commas.</summary>
    public const int EnvelopeBytesPerRecipient = 400;

    /// <summary>JSON room per acknowledged id: an id of at most 256 UTF-8 bytes, escaped, with quotes and a comma.</summary>
    public const int EnvelopeBytesPerAcknowledgedId = 1024;

    /// <summary>Room for the fixed part of any request envelope (field names, the box name, whitespace).</summary>
    public const int EnvelopeBytes = 64 << 10;

    /// <summary>Largest /sendMessage body: the message limit plus room for the JSON envelope (recipients, ids).</summary>
    public long MaxSendRequestBytes => MaxMessageBytes + EnvelopeBytes + (MaxRecipients * (long)EnvelopeBytesPerRecipient);

    /// <summary>Largest /acknowledgeMessage body: every id at its longest.</summary>
    public long MaxAcknowledgeRequestBytes => EnvelopeBytes + (MaxAcknowledgeIds * (long)EnvelopeBytesPerAcknowledgedId);

    /// <summary>Largest request body of any relay endpoint: the limit the auth layer and the gateway read within.</summary>
    public long MaxRequestBytes => Math.Max(MaxSendRequestBytes, Math.Max(MaxAcknowledgeRequestBytes, MaxListRequestBytes));
}
