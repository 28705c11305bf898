using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;

namespace PeerServ.Relay.Wire;

public sealed record ListMessagesBody(
    string MessageBox,
    [property: Description("Page size, 1–1000 (default 1000).")] int? Limit,
    [property: Description("Messages to skip, 0–100000.")] int? Offset,
    [property: Description("Alias of offset.")] int? Skip,
    [property: Description("Long-poll: wait up to this many seconds (≤ 30 by default) for a message when the box is empty.")] int? WaitSeconds);

public sealed record ListMessagesResponse(IReadOnlyList<ListedMessage> Messages, int Limit, int Offset, bool HasMore, int? NextOffset) : RelaySuccess;

/// <summary>
/// One listed message. Messages are never updated, so every timestamp is the arrival time; the PeerServ-era
/// snake_case pair is kept for the BRC-33 clients that read it.
/// </summary>
public sealed record ListedMessage(
    string MessageId,
    string Body,
    string Sender,
    [property: Description("Arrival time, ISO 8601 UTC with milliseconds.")] string CreatedAt,
    string UpdatedAt,
    [property: JsonPropertyName("created_at")] string CreatedAtPeerServ,
    [property: JsonPropertyName("updated_at")] string UpdatedAtPeerServ)
{
    public static ListedMessage Create(string messageId, string body, string sender, DateTimeOffset createdAt)
    {
        var stamp = RelayJson.Timestamp(createdAt);
        return new ListedMessage(messageId, body, sender, stamp, stamp, stamp, stamp);
    }
}
