using System.Text.Json;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.MailboxQuery.Features;

/// <summary>A /listMessages body: `messageBox`, optional `limit`, `offset` (alias `skip`), and `waitSeconds` for long-polling.</summary>
internal sealed record ListMessagesRequest(string MessageBox, int Limit, int Offset, int WaitSeconds)
{
    public static (ListMessagesRequest? Request, IResult? Error) Parse(JsonElement root, RelayOptions options)
    {
        if (!root.TryGetProperty("messageBox", out var boxElement) || boxElement.ValueKind == JsonValueKind.Null)
        {
            return Fail("ERR_MESSAGEBOX_REQUIRED", "Please provide the name of a valid MessageBox!");
        }

        if (boxElement.ValueKind != JsonValueKind.String)
        {
            return Fail("ERR_INVALID_MESSAGEBOX", "MessageBox name must be a string!");
        }

        var box = boxElement.GetString()!;
        if (RelayFields.BoxError(box) is { } boxError)
        {
            return Fail(boxError, $"A message box name is 1-{RelayFields.MaxBoxBytes} UTF-8 bytes, without control characters or leading/trailing whitespace.");
        }

        if (!TryInt(root, "limit", options.ListDefaultLimit, 1, options.ListMaxLimit, out var limit))
        {
            return Fail("ERR_INVALID_LIMIT", $"limit must be an integer from 1 to {options.ListMaxLimit}.");
        }

        if (!TryInt(root, "offset", 0, 0, options.ListMaxOffset, out var offset) || !TryInt(root, "skip", offset, 0, options.ListMaxOffset, out var skip))
        {
            return Fail("ERR_INVALID_OFFSET", $"offset (or skip) must be an integer from 0 to {options.ListMaxOffset}.");
        }

        if (root.TryGetProperty("offset", out _) && root.TryGetProperty("skip", out _) && skip != offset)
        {
            return Fail("ERR_INVALID_OFFSET", "offset and skip are the same thing; when both are sent they must be equal.");
        }

        if (!TryInt(root, "waitSeconds", 0, 0, options.MaxWaitSeconds, out var wait))
        {
            return Fail("ERR_INVALID_WAIT", $"waitSeconds must be an integer from 0 to {options.MaxWaitSeconds}.");
        }

        return (new ListMessagesRequest(box, limit, Math.Max(offset, skip), wait), null);
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

    private static (ListMessagesRequest? Request, IResult? Error) Fail(string code, string description) => (null, ApiResults.BadRequest(code, description));
}
