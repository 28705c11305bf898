using System.ComponentModel;
using System.Text.Json.Nodes;

namespace PeerServ.Gateway.OpenApi;

// The public wire shapes, as types the OpenAPI generator turns into schemas. The services accept more than
// these types say (numbers as ids, a key or a list in "recipient"); the descriptions say so.

[Description("A message to one or more recipients.")]
public sealed record SendMessageRequest([property: Description("The message.")] OutgoingMessage Message);

public sealed record OutgoingMessage(
    [property: Description("Recipient identity key (66 hex), or a list of keys (1–100, no duplicates).")] JsonNode Recipient,
    [property: Description("Alternative spelling of a list of recipients.")] IReadOnlyList<string>? Recipients,
    [property: Description("Box name: 1–128 UTF-8 bytes, no control characters, no leading/trailing whitespace.")] string MessageBox,
    [property: Description("Optional id (1–256 bytes) or one id per recipient; assigned by the server when absent.")] JsonNode? MessageId,
    [property: Description("Non-empty string, stored and returned byte for byte (an object/array is stored as its JSON text). At most 1 MiB.")] JsonNode Body);

public sealed record SendMessageResponse(string Status, string Message, JsonNode MessageId, IReadOnlyList<SendResult> Results);

public sealed record SendResult(string Recipient, string MessageId);

public sealed record ListMessagesRequest(
    string MessageBox,
    [property: Description("Page size, 1–1000 (default 1000).")] int? Limit,
    [property: Description("Messages to skip, 0–100000.")] int? Offset,
    [property: Description("Alias of offset.")] int? Skip,
    [property: Description("Long-poll: wait up to this many seconds (≤ 30) for a message when the box is empty.")] int? WaitSeconds);

public sealed record ListMessagesResponse(string Status, IReadOnlyList<ListedMessage> Messages, int Limit, int Offset, bool HasMore, int? NextOffset);

public sealed record ListedMessage(string MessageId, string Body, string Sender, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("created_at")] DateTimeOffset CreatedAtPeerServ,
    [property: System.Text.Json.Serialization.JsonPropertyName("updated_at")] DateTimeOffset UpdatedAtPeerServ);

public sealed record AcknowledgeMessageRequest([property: Description("1–1000 message ids (numbers are read as their decimal text).")] IReadOnlyList<string> MessageIds);

public sealed record AcknowledgeMessageResponse(string Status, int Acknowledged);

[Description("Every error: {\"status\":\"error\",\"code\":\"ERR_…\",\"description\":\"…\"}.")]
public sealed record ErrorResponse(string Status, string Code, string Description);

[Description("BRC-103 initialRequest (version 0.1).")]
public sealed record Brc104InitialRequest(string Version, string MessageType, string IdentityKey,
    [property: Description("The client's session nonce, base64 of 16–48 bytes.")] string InitialNonce, JsonNode? RequestedCertificates);

[Description("BRC-103 initialResponse; the signature (byte values) covers both nonces.")]
public sealed record Brc104InitialResponse(string Version, string MessageType, string IdentityKey, string InitialNonce, string YourNonce,
    JsonNode RequestedCertificates, IReadOnlyList<int> Signature);

[Description("BRC-31 Authrite initialRequest (authrite 0.2 or 0.1).")]
public sealed record AuthriteInitialRequest(string Authrite, string? MessageType, string IdentityKey, string Nonce, JsonNode? RequestedCertificates);

[Description("BRC-31 Authrite initialResponse; the signature (DER hex) covers the two nonce strings.")]
public sealed record AuthriteInitialResponse(string Authrite, string MessageType, string IdentityKey, string Nonce, JsonNode Certificates,
    JsonNode RequestedCertificates, string Signature);
