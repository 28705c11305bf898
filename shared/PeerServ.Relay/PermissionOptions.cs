using System.ComponentModel.DataAnnotations;

namespace PeerServ.Relay;

/// <summary>
/// Configuration section "Permissions": what a recipient's box charges a sender who has no rule of the recipient's
/// (neither for that sender nor box-wide), and the fees a recipient may set. A fee is -1 (blocked), 0 (allowed) or a
/// number of satoshis (payment required). Defaults are read, never written as rows.
/// </summary>
public sealed class PermissionOptions
{
    public const string SectionName = "Permissions";

    /// <summary>The fee of a box with no rule and no entry in <see cref="DefaultRecipientFees"/>.</summary>
    [Range(-1, int.MaxValue)]
    public int DefaultRecipientFee { get; set; }

    /// <summary>Per box name, the fee when the recipient has no rule (the TypeScript server hard-codes notifications = 10); each -1 to <see cref="MaxRecipientFee"/>.</summary>
    public Dictionary<string, int> DefaultRecipientFees { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The largest fee a recipient may set, in satoshis.</summary>
    [Range(0, int.MaxValue)]
    public int MaxRecipientFee { get; set; } = 100_000_000;

    /// <summary>The fee that decides a message into <paramref name="messageBox"/> when the recipient has no rule.</summary>
    public int DefaultFor(string messageBox) => DefaultRecipientFees.TryGetValue(messageBox, out var fee) ? fee : DefaultRecipientFee;

    /// <summary>The status a fee stands for, as the client reads it.</summary>
    public static string StatusOf(int fee) => fee switch
    {
        < 0 => "blocked",
        0 => "always_allow",
        _ => "payment_required",
    };
}
