namespace PeerServ.Client;

/// <summary>The protocol the client authenticates with: BRC-103/104 (the current one, default) or BRC-31 Authrite.</summary>
public enum PeerServProtocol
{
    Brc104,
    Authrite,
}

/// <summary>A stored send: the id the message got for each recipient.</summary>
public sealed record SentMessage(string MessageId, IReadOnlyList<SentCopy> Recipients);

/// <summary>One recipient's copy of a send.</summary>
public sealed record SentCopy(string Recipient, string MessageId);

/// <summary>
/// A message in a box: <see cref="Body"/> is what the sender wrote (decrypted when it came in MessageBoxClient's
/// encrypted envelope, <see cref="WasEncrypted"/> then true), <see cref="RawBody"/> what the relay stored.
/// </summary>
public sealed record RelayMessage(string MessageId, string Sender, string MessageBox, string Body, bool WasEncrypted, string RawBody, DateTimeOffset CreatedAt);

/// <summary>A page of a box, oldest first; <see cref="NextOffset"/> continues it when <see cref="HasMore"/>.</summary>
public sealed record MessagePage(IReadOnlyList<RelayMessage> Messages, bool HasMore, int? NextOffset);

/// <summary>A recipient's rule for one sender (null: box-wide) into one box: -1 blocked, 0 allowed, more = satoshis.</summary>
public sealed record PermissionRule(string? Sender, string MessageBox, int RecipientFee, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of the caller's rules, with how many there are in all.</summary>
public sealed record PermissionPage(IReadOnlyList<PermissionRule> Permissions, long TotalCount);

/// <summary>What sending into one recipient's box costs: the relay's delivery fee and the recipient's fee (-1: blocked).</summary>
public sealed record RecipientQuote(string Recipient, string MessageBox, int DeliveryFee, int RecipientFee, string Status)
{
    public bool Blocked => RecipientFee == -1;
}

/// <summary>A quote for one or more recipients, and the relay's key that signed it (the delivery agent's).</summary>
public sealed record MessageQuote(IReadOnlyList<RecipientQuote> Recipients, IReadOnlyList<string> BlockedRecipients, long TotalFee, string DeliveryAgentKey);

/// <summary>A push registration of the caller's (the token shown truncated).</summary>
public sealed record Device(long Id, string? DeviceId, string? Platform, string FcmToken, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastUsed);

/// <summary>How to list: a page (<see cref="Limit"/>, <see cref="Offset"/>) and, for an empty box, how long to wait for a message.</summary>
public sealed record ListOptions(int? Limit = null, int? Offset = null, int? WaitSeconds = null);
