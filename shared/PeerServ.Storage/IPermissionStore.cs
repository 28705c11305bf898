namespace PeerServ.Storage;

/// <summary>
/// Recipients' rules for who may put messages in their boxes, and at what fee: one rule per (recipient, box, sender),
/// and at most one box-wide rule per (recipient, box) whose <see cref="PermissionRule.Sender"/> is null. The fee is
/// -1 (blocked), 0 (allowed) or a number of satoshis (payment required). Every method completes durably or throws
/// <see cref="StoreUnavailableException"/>.
/// </summary>
public interface IPermissionStore
{
    /// <summary>Creates or replaces the recipient's rule for one sender (or box-wide when <paramref name="sender"/> is null); a replaced rule keeps its creation time.</summary>
    Task<PermissionRule> SetAsync(string recipient, string messageBox, string? sender, int recipientFee, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Exactly the rule for that sender (or the box-wide rule when <paramref name="sender"/> is null), or null.</summary>
    Task<PermissionRule?> GetAsync(string recipient, string messageBox, string? sender, CancellationToken cancellationToken);

    /// <summary>A page of the recipient's rules: by box, box-wide rule first, then by sender, then by creation time; and how many there are in all.</summary>
    Task<PermissionPage> ListAsync(PermissionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// For each of <paramref name="recipients"/>, the rule that decides <paramref name="sender"/>'s messages into
    /// <paramref name="messageBox"/>: the rule for that sender, else the box-wide one. Recipients with neither are absent.
    /// </summary>
    Task<IReadOnlyDictionary<string, PermissionRule>> FindApplicableAsync(string sender, string messageBox, IReadOnlyCollection<string> recipients, CancellationToken cancellationToken);
}

/// <summary>One rule. <paramref name="Sender"/> is null for the box-wide rule.</summary>
public sealed record PermissionRule(string Recipient, string MessageBox, string? Sender, int RecipientFee, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <param name="MessageBox">Only this box's rules; null for all boxes.</param>
/// <param name="NewestFirst">Creation time descending within a (box, sender) ordering tie; ascending otherwise.</param>
public sealed record PermissionQuery(string Recipient, string? MessageBox, int Offset, int Limit, bool NewestFirst = false);

public sealed record PermissionPage(IReadOnlyList<PermissionRule> Rules, long TotalCount);
