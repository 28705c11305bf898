using System.ComponentModel;
using System.Text.Json.Serialization;

namespace PeerServ.Relay.Wire;

public sealed record SetPermissionBody(
    string MessageBox,
    [property: Description("-1 blocks, 0 allows, more than 0 charges that many satoshis per message; at most Permissions:MaxRecipientFee.")] int RecipientFee,
    [property: Description("The sender this rule is for (a public key in hex); absent for the box-wide rule.")] string? Sender);

public sealed record SetPermissionResponse(string Description) : RelaySuccess;

/// <summary>A rule as /permissions/get answers it (the client maps these camelCase fields).</summary>
public sealed record PermissionView(
    [property: Description("Null for the box-wide rule.")] string? Sender,
    string MessageBox,
    int RecipientFee,
    [property: Description("blocked, always_allow or payment_required.")] string Status,
    string CreatedAt,
    string UpdatedAt)
{
    public static PermissionView Create(string? sender, string messageBox, int recipientFee, DateTimeOffset createdAt, DateTimeOffset updatedAt) =>
        new(sender, messageBox, recipientFee, PermissionOptions.StatusOf(recipientFee), RelayJson.Timestamp(createdAt), RelayJson.Timestamp(updatedAt));
}

/// <param name="Permission">The caller's exact rule for that sender (or box-wide), null when it has none.</param>
public sealed record GetPermissionResponse(string Description, PermissionView? Permission) : RelaySuccess;

/// <summary>
/// One rule as /permissions/list answers it: camelCase as the TypeScript server writes it, and snake_case as the
/// client 2.1.1 reads it (against the TypeScript server it reads undefined and shows blocked senders as allowed).
/// </summary>
public sealed record PermissionRow(
    string? Sender,
    string MessageBox,
    [property: JsonPropertyName("message_box")] string MessageBoxSnake,
    int RecipientFee,
    [property: JsonPropertyName("recipient_fee")] int RecipientFeeSnake,
    string Status,
    string CreatedAt,
    [property: JsonPropertyName("created_at")] string CreatedAtSnake,
    string UpdatedAt,
    [property: JsonPropertyName("updated_at")] string UpdatedAtSnake)
{
    public static PermissionRow Create(string? sender, string messageBox, int recipientFee, DateTimeOffset createdAt, DateTimeOffset updatedAt)
    {
        var (created, updated) = (RelayJson.Timestamp(createdAt), RelayJson.Timestamp(updatedAt));
        return new(sender, messageBox, messageBox, recipientFee, recipientFee, PermissionOptions.StatusOf(recipientFee), created, created, updated, updated);
    }
}

public sealed record ListPermissionsResponse(IReadOnlyList<PermissionRow> Permissions, long TotalCount, int Limit, int Offset) : RelaySuccess;

public sealed record Quote(int DeliveryFee, int RecipientFee);

public sealed record RecipientQuote(string Recipient, string MessageBox, int DeliveryFee, int RecipientFee, string Status);

/// <param name="DeliveryFees">The delivery fee as charged: once per send, however many recipients.</param>
public sealed record QuoteTotals(int DeliveryFees, long RecipientFees, long TotalForPayableRecipients);

/// <summary>
/// A quote: for one recipient <see cref="Quote"/>; for several <see cref="QuotesByRecipient"/>, <see cref="Totals"/>
/// and <see cref="BlockedRecipients"/> (the shapes the client 2.1.1 parses). The delivery agent's key is in the signed
/// response's x-bsv-auth-identity-key header, where the client reads it.
/// </summary>
public sealed record QuoteResponse(
    string Description,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Quote? Quote,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RecipientQuote>? QuotesByRecipient,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QuoteTotals? Totals,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? BlockedRecipients) : RelaySuccess;
