using System.Text.Json;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.Permissions.Apis;

/// <summary>A /permissions/set body: messageBox, recipientFee (an integer from -1 to Permissions:MaxRecipientFee), sender (absent: box-wide).</summary>
internal sealed record SetPermissionRequest(string MessageBox, int RecipientFee, string? Sender) : IRelayRequest<SetPermissionRequest>
{
    public static Parsed<SetPermissionRequest> Parse(RelayInput input, RelayOptions options)
    {
        var root = input.Body;
        if (!root.TryGetProperty("messageBox", out var boxElement) || boxElement.ValueKind == JsonValueKind.Null
            || !root.TryGetProperty("recipientFee", out var fee) || fee.ValueKind == JsonValueKind.Null)
        {
            return RelayErrors.InvalidPermissionRequest;
        }

        var box = RelayFields.ReadBox(root);
        if (!box.Succeeded)
        {
            return box.Error;
        }

        if (fee.ValueKind != JsonValueKind.Number)
        {
            return RelayErrors.InvalidPermissionRequest.With("recipientFee must be a number.");
        }

        if (!fee.TryGetInt32(out var satoshis) || satoshis < -1)
        {
            return RelayErrors.InvalidFeeValue;
        }

        string? sender = null;
        if (root.TryGetProperty("sender", out var senderElement) && senderElement.ValueKind != JsonValueKind.Null)
        {
            var key = PermissionFields.ReadKey(senderElement.ValueKind == JsonValueKind.String ? senderElement.GetString() : null, "sender");
            if (!key.Succeeded)
            {
                return key.Error;
            }

            sender = key.Value;
        }

        return new SetPermissionRequest(box.Value, satoshis, sender);
    }
}

/// <summary>A /permissions/get query: messageBox, sender (absent: the box-wide rule), recipient (the caller's own key, or absent).</summary>
internal sealed record GetPermissionRequest(string MessageBox, string? Sender, string? Recipient) : IRelayRequest<GetPermissionRequest>
{
    public static Parsed<GetPermissionRequest> Parse(RelayInput input, RelayOptions options)
    {
        var box = PermissionFields.ReadBox(input.Query, "messageBox", "message_box");
        if (!box.Succeeded)
        {
            return box.Error;
        }

        if (box.Value is null)
        {
            return RelayErrors.MissingParameters.With("messageBox is required.");
        }

        var sender = PermissionFields.ReadOptionalKey(input.Query, "sender");
        if (!sender.Succeeded)
        {
            return sender.Error;
        }

        var recipient = PermissionFields.ReadOptionalKey(input.Query, "recipient");
        if (!recipient.Succeeded)
        {
            return recipient.Error;
        }

        return new GetPermissionRequest(box.Value, sender.Value, recipient.Value);
    }
}

/// <summary>A /permissions/list query: message_box (or messageBox) to filter, limit 1–1000 (100), offset ≥ 0, createdAtOrder asc|desc.</summary>
internal sealed record ListPermissionsRequest(string? MessageBox, int Limit, int Offset, bool NewestFirst) : IRelayRequest<ListPermissionsRequest>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static Parsed<ListPermissionsRequest> Parse(RelayInput input, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var box = PermissionFields.ReadBox(input.Query, "message_box", "messageBox");
        if (!box.Succeeded)
        {
            return box.Error;
        }

        if (!PermissionFields.TryInt(input.Query, "limit", DefaultLimit, 1, MaxLimit, out var limit))
        {
            return RelayErrors.InvalidLimit.With($"limit must be an integer from 1 to {MaxLimit}.");
        }

        if (!PermissionFields.TryInt(input.Query, "offset", 0, 0, options.ListMaxOffset, out var offset))
        {
            return RelayErrors.InvalidOffset.With($"offset must be an integer from 0 to {options.ListMaxOffset}.");
        }

        var order = PermissionFields.Single(input.Query, "createdAtOrder");
        if (order is not null and not "asc" and not "desc")
        {
            return RelayErrors.MissingParameters.With("createdAtOrder must be asc or desc.");
        }

        return new ListPermissionsRequest(box.Value, limit, offset, order == "desc");
    }
}

/// <summary>A /permissions/quote query: one or more recipient keys (repeated), and messageBox.</summary>
internal sealed record QuoteRequest(IReadOnlyList<string> Recipients, string MessageBox) : IRelayRequest<QuoteRequest>
{
    public static Parsed<QuoteRequest> Parse(RelayInput input, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var raw = input.Query["recipient"];
        var box = PermissionFields.ReadBox(input.Query, "messageBox", "message_box");
        if (!box.Succeeded)
        {
            return box.Error;
        }

        if (raw.Count == 0 || box.Value is null)
        {
            return RelayErrors.MissingParameters.With("recipient and messageBox are required.");
        }

        if (raw.Count > options.MaxRecipients)
        {
            return RelayErrors.TooManyRecipients.With($"At most {options.MaxRecipients} recipients per quote.");
        }

        var keys = new List<string>(raw.Count);
        var bad = new List<int>();
        for (var i = 0; i < raw.Count; i++)
        {
            var key = PermissionFields.ReadKey(raw[i], "recipient");
            if (key.Succeeded)
            {
                keys.Add(key.Value);
            }
            else
            {
                bad.Add(i);
            }
        }

        if (bad.Count > 0)
        {
            return RelayErrors.InvalidPublicKey.With($"Invalid recipient public key at index(es): {string.Join(", ", bad)}.");
        }

        return new QuoteRequest([.. keys.Distinct(StringComparer.Ordinal)], box.Value);
    }
}
