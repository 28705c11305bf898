using System.ComponentModel;
using System.Text.Json.Nodes;

namespace PeerServ.Relay.Wire;

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
