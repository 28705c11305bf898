using System.ComponentModel;
using System.Text.Json.Nodes;

namespace PeerServ.Relay.Wire;

[Description("A message to one or more recipients. The server accepts more than these types say (numbers as ids, a key or a list in \"recipient\"); the descriptions say so.")]
public sealed record SendMessageBody([property: Description("The message.")] OutgoingMessage Message);

public sealed record OutgoingMessage(
    [property: Description("Recipient identity key (66 hex), or a list of keys (1–100 by default, no duplicates).")] JsonNode Recipient,
    [property: Description("Alternative spelling of a list of recipients.")] IReadOnlyList<string>? Recipients,
    [property: Description("Box name: 1–128 UTF-8 bytes, no control characters, no leading/trailing whitespace.")] string MessageBox,
    [property: Description("Optional id (1–256 bytes; a number is read as its decimal text) or one id per recipient; assigned by the server when absent.")] JsonNode? MessageId,
    [property: Description("Non-empty string, stored and returned byte for byte (an object/array is stored as its JSON text). At most 1 MiB by default.")] JsonNode Body);

/// <param name="MessageId">The id (one recipient) or the ids in recipient order (several), as the TS servers answer.</param>
public sealed record SendMessageResponse(string Message, JsonNode MessageId, IReadOnlyList<SendResult> Results) : RelaySuccess;

public sealed record SendResult(string Recipient, string MessageId);
