using System.Text.Json;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Ack.Features;

/// <summary>An /acknowledgeMessage body: `messageIds`, 1 to MaxAcknowledgeIds ids (strings; numbers as their decimal text).</summary>
internal static class AcknowledgeRequest
{
    public static (IReadOnlyList<string>? Ids, IResult? Error) Parse(JsonElement root, RelayOptions options)
    {
        if (!root.TryGetProperty("messageIds", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return Fail("ERR_MESSAGE_ID_REQUIRED", "Please provide the ID of the message(s) to acknowledge!");
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return Fail("ERR_INVALID_MESSAGE_ID", "Message IDs must be formatted as an array of strings!");
        }

        var count = element.GetArrayLength();
        if (count == 0)
        {
            return Fail("ERR_MESSAGE_ID_REQUIRED", "Please provide the ID of the message(s) to acknowledge!");
        }

        if (count > options.MaxAcknowledgeIds)
        {
            return Fail("ERR_TOO_MANY_MESSAGE_IDS", $"At most {options.MaxAcknowledgeIds} message ids per acknowledgement.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in element.EnumerateArray())
        {
            var text = id.ValueKind switch
            {
                JsonValueKind.String => id.GetString(),
                JsonValueKind.Number => id.GetRawText(),
                _ => null,
            };
            if (text is null || !RelayFields.IsValidId(text))
            {
                return Fail("ERR_INVALID_MESSAGE_ID", "Message IDs must be formatted as an array of strings!");
            }

            ids.Add(text);
        }

        return ([.. ids], null);
    }

    private static (IReadOnlyList<string>? Ids, IResult? Error) Fail(string code, string description) => (null, ApiResults.BadRequest(code, description));
}
