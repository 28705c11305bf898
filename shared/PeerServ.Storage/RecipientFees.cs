using Microsoft.Extensions.Options;
using PeerServ.Relay;

namespace PeerServ.Storage;

/// <summary>What one recipient charges one sender for one box, and the rule it comes from (null: the configured default).</summary>
public sealed record RecipientFee(string Recipient, int Fee, PermissionRule? Rule)
{
    public bool Blocked => Fee < 0;

    public string Status => PermissionOptions.StatusOf(Fee);
}

/// <summary>
/// The one fee lookup of sends and quotes: the recipient's rule for the sender, else its box-wide rule, else the
/// configured default for the box. A store failure is thrown (a 503), never read as "allowed".
/// </summary>
public sealed class RecipientFees(IPermissionStore store, IOptions<PermissionOptions> options)
{
    public async Task<IReadOnlyList<RecipientFee>> LookUpAsync(string sender, string messageBox, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var rules = await store.FindApplicableAsync(sender, messageBox, recipients, cancellationToken);
        var fallback = options.Value.DefaultFor(messageBox);
        return [.. recipients.Select(r => rules.TryGetValue(r, out var rule) ? new RecipientFee(r, rule.RecipientFee, rule) : new RecipientFee(r, fallback, null))];
    }
}
