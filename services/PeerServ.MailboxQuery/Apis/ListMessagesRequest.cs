using System.Text.Json;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.MailboxQuery.Apis;

/// <summary>A /listMessages body: `messageBox`, optional `limit`, `offset` (alias `skip`), and `waitSeconds` for long-polling.</summary>
internal sealed record ListMessagesRequest(string MessageBox, int Limit, int Offset, int WaitSeconds) : IRelayRequest<ListMessagesRequest>
{
    public static Parsed<ListMessagesRequest> Parse(RelayInput input, RelayOptions options)
    {
        var root = input.Body;
        var box = RelayFields.ReadBox(root);
        if (!box.Succeeded)
        {
            return box.Error;
        }

        if (!TryInt(root, "limit", options.ListDefaultLimit, 1, options.ListMaxLimit, out var limit))
        {
            return RelayErrors.InvalidLimit.With($"limit must be an integer from 1 to {options.ListMaxLimit}.");
        }

        if (!TryInt(root, "offset", 0, 0, options.ListMaxOffset, out var offset) || !TryInt(root, "skip", offset, 0, options.ListMaxOffset, out var skip))
        {
            return RelayErrors.InvalidOffset.With($"offset (or skip) must be an integer from 0 to {options.ListMaxOffset}.");
        }

        if (root.TryGetProperty("offset", out _) && root.TryGetProperty("skip", out _) && skip != offset)
        {
            return RelayErrors.InvalidOffset.With("offset and skip are the same thing; when both are sent they must be equal.");
        }

        if (!TryInt(root, "waitSeconds", 0, 0, options.MaxWaitSeconds, out var wait))
        {
            return RelayErrors.InvalidWait.With($"waitSeconds must be an integer from 0 to {options.MaxWaitSeconds}.");
        }

        return new ListMessagesRequest(box.Value, limit, Math.Max(offset, skip), wait);
    }

    private static bool TryInt(JsonElement root, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value) && value >= min && value <= max;
    }
}
