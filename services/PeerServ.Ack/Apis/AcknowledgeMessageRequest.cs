using System.Text.Json;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.Ack.Apis;

/// <summary>An /acknowledgeMessage body: `messageIds`, 1 to MaxAcknowledgeIds ids (strings; numbers as their decimal text), duplicates folded.</summary>
internal sealed record AcknowledgeMessageRequest(IReadOnlyList<string> MessageIds) : IRelayRequest<AcknowledgeMessageRequest>
{
    public static long MaxBodyBytes(RelayOptions options) => options.MaxAcknowledgeRequestBytes;

    public static Parsed<AcknowledgeMessageRequest> Parse(RelayInput input, RelayOptions options)
    {
        if (!input.Body.TryGetProperty("messageIds", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return RelayErrors.MessageIdRequired;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return RelayErrors.InvalidMessageId;
        }

        var count = element.GetArrayLength();
        if (count == 0)
        {
            return RelayErrors.MessageIdRequired;
        }

        if (count > options.MaxAcknowledgeIds)
        {
            return RelayErrors.TooManyMessageIds.With($"At most {options.MaxAcknowledgeIds} message ids per acknowledgement.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in element.EnumerateArray())
        {
            if (RelayFields.ReadId(id) is not { } text)
            {
                return RelayErrors.InvalidMessageId;
            }

            ids.Add(text);
        }

        return new AcknowledgeMessageRequest([.. ids]);
    }
}
