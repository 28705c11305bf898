using System.Reflection;

namespace PeerServ.Relay.Errors;

/// <summary>
/// Every error code the relay answers with, its status and its default description. The codes are wire-compatible
/// with the TypeScript message-box servers and clients match on them: never rename one (the inconsistent
/// ERR_INVALID_MESSAGEID of sends vs ERR_INVALID_MESSAGE_ID of acknowledgements is theirs). Add new ones here only,
/// so that the auth layer, the handlers, the gateway and the OpenAPI documents all speak from this list.
/// </summary>
public static class RelayErrors
{
    // Any request.
    public static readonly RelayError InvalidJson = new(400, "ERR_INVALID_JSON", "The request body must be a JSON object.");
    public static readonly RelayError RequestTooLarge = new(413, "ERR_REQUEST_TOO_LARGE", "The request body is larger than the limit.");
    public static readonly RelayError RouteNotFound = new(404, "ERR_ROUTE_NOT_FOUND", "Route not found.");
    public static readonly RelayError MethodNotAllowed = new(405, "ERR_METHOD_NOT_ALLOWED", "Method not allowed.");
    public static readonly RelayError RateLimited = new(429, "ERR_RATE_LIMITED", "Too many requests; retry later (see Retry-After).");
    public static readonly RelayError ServiceUnavailable = new(503, "ERR_SERVICE_UNAVAILABLE", "A store or service the relay needs is unavailable; nothing was changed. Retry the request (see Retry-After).");
    public static readonly RelayError Internal = new(500, "ERR_INTERNAL", "An internal error has occurred.");

    // Authentication of a request (BRC-104 or BRC-31); answered unsigned.
    public static readonly RelayError Unauthorized = new(401, "UNAUTHORIZED", "Mutual authentication is required (BRC-104 at /.well-known/auth or BRC-31 at /authrite/initialRequest).");
    public static readonly RelayError AuthRequired = new(401, "ERR_AUTH_REQUIRED", "Authentication required.");
    public static readonly RelayError MissingAuthHeader = new(400, "ERR_MISSING_AUTH_HEADER", "An authentication header is missing.");
    public static readonly RelayError InvalidAuthHeader = new(400, "ERR_INVALID_AUTH_HEADER", "An authentication header is malformed.");
    public static readonly RelayError SessionNotFound = new(401, "ERR_SESSION_NOT_FOUND", "Unknown or expired session; perform a new handshake at /.well-known/auth.");
    public static readonly RelayError InvalidAuthIdentity = new(401, "ERR_INVALID_AUTH_IDENTITY", "The identity key header does not match the key this session was opened with.");
    public static readonly RelayError AuthFailed = new(401, "ERR_AUTH_FAILED", "The request signature is not valid.");
    public static readonly RelayError NonceReplayed = new(401, "ERR_NONCE_REPLAYED", "This request nonce was already used.");
    public static readonly RelayError AuthriteInvalidSignature = new(401, "ERR_AUTHRITE_INVALID_SIGNATURE", "The request signature is not valid.");
    public static readonly RelayError AuthriteBadServerNonce = new(401, "ERR_AUTHRITE_BAD_SERVER_NONCE", "The x-authrite-yournonce header is not a nonce this server issued.");
    public static readonly RelayError AuthriteExpiredServerNonce = new(401, "ERR_AUTHRITE_EXPIRED_SERVER_NONCE", "The server nonce has expired; request a new one at /authrite/initialRequest (authrite-js: getServerParameters).");
    public static readonly RelayError AuthriteBadCertificates = new(400, "ERR_AUTHRITE_BAD_CERTS", "The x-authrite-certificates header must be a JSON array.");

    // Handshakes (POST /.well-known/auth, POST /authrite/initialRequest).
    public static readonly RelayError BadHandshakeBody = new(400, "ERR_BAD_REQUEST_BODY", "The handshake body must be a JSON object.");
    public static readonly RelayError UnsupportedAuthVersion = new(400, "ERR_UNSUPPORTED_AUTH_VERSION", "This BRC-103 version is not supported.");
    public static readonly RelayError UnsupportedMessageType = new(400, "ERR_UNSUPPORTED_MESSAGE_TYPE", "This message type is not accepted here.");
    public static readonly RelayError InvalidIdentityKey = new(400, "ERR_INVALID_IDENTITY_KEY", "identityKey must be a secp256k1 public key in hex.");
    public static readonly RelayError InvalidNonce = new(400, "ERR_INVALID_NONCE", "The nonce must be canonical base64 of the right size.");
    public static readonly RelayError MissingAuthriteVersion = new(400, "ERR_MISSING_AUTHRITE_VERSION", "The authrite version is required.");
    public static readonly RelayError AuthriteVersionMismatch = new(400, "ERR_AUTHRITE_VERSION_MISMATCH", "This Authrite version is not supported; this server speaks 0.1 and 0.2.");
    public static readonly RelayError AuthriteMissingParams = new(400, "ERR_AUTHRITE_MISSING_INITIAL_REQUEST_PARAMS", "identityKey and nonce are required.");

    // Behind the gateway: a request that did not come through it.
    public static readonly RelayError GatewayAssertion = new(401, "ERR_GATEWAY_ASSERTION", "Requests must come through the gateway.");

    // Box names and ids, wherever they are taken.
    public static readonly RelayError MessageBoxRequired = new(400, "ERR_MESSAGEBOX_REQUIRED", "Please provide the name of a valid MessageBox!");
    public static readonly RelayError InvalidMessageBox = new(400, "ERR_INVALID_MESSAGEBOX", "MessageBox name must be a string!");
    public static readonly RelayError MessageBoxTooLarge = new(400, "ERR_MESSAGEBOX_TOO_LARGE", $"A message box name is at most {RelayFields.MaxBoxBytes} UTF-8 bytes.");

    // POST /sendMessage.
    public static readonly RelayError MessageRequired = new(400, "ERR_MESSAGE_REQUIRED", "Please provide a valid message to send!");
    public static readonly RelayError InvalidMessage = new(400, "ERR_INVALID_MESSAGE", "The message must be a JSON object.");
    public static readonly RelayError RecipientRequired = new(400, "ERR_RECIPIENT_REQUIRED", "Missing recipient(s). Provide \"recipient\" or \"recipients\".");
    public static readonly RelayError InvalidRecipient = new(400, "ERR_INVALID_RECIPIENT", "Each recipient must be a public key string.");
    public static readonly RelayError InvalidRecipientKey = new(400, "ERR_INVALID_RECIPIENT_KEY", "Invalid recipient key.");
    public static readonly RelayError TooManyRecipients = new(400, "ERR_TOO_MANY_RECIPIENTS", "Too many recipients for one message.");
    public static readonly RelayError DuplicateRecipient = new(400, "ERR_DUPLICATE_RECIPIENT", "A recipient appears more than once.");
    public static readonly RelayError MessageBodyRequired = new(400, "ERR_MESSAGE_BODY_REQUIRED", "Every message must have a body!");
    public static readonly RelayError InvalidMessageBody = new(400, "ERR_INVALID_MESSAGE_BODY", "The message body must be a string (or a JSON object or array).");
    public static readonly RelayError MessageBodyTooLarge = new(413, "ERR_MESSAGE_BODY_TOO_LARGE", "The message body is larger than the limit.");
    public static readonly RelayError InvalidSendMessageId = new(400, "ERR_INVALID_MESSAGEID", $"Each messageId must be a string of 1-{RelayFields.MaxIdBytes} UTF-8 bytes without control characters.");
    public static readonly RelayError MessageIdCountMismatch = new(400, "ERR_MESSAGEID_COUNT_MISMATCH", "Recipients and messageId count must match.");
    public static readonly RelayError DuplicateMessage = new(400, "ERR_DUPLICATE_MESSAGE", "You already sent a different message with this id to this recipient; nothing was stored.");
    public static readonly RelayError DeliveryBlocked = new(403, "ERR_DELIVERY_BLOCKED", "A recipient has blocked messages from you to this box; nothing was stored.");
    public static readonly RelayError MissingPaymentTx = new(400, "ERR_MISSING_PAYMENT_TX", "A recipient charges a fee for this box and the send carries no payment; nothing was stored.");
    public static readonly RelayError PaymentsUnsupported = new(400, "ERR_PAYMENTS_UNSUPPORTED", "A recipient charges a fee for this box, and this relay does not accept payments yet; nothing was stored.");
    public static readonly RelayError QuotaExceeded = new(429, "ERR_QUOTA_EXCEEDED", "The send would pass a quota (a recipient's held messages or bytes, or the sender's bytes per window); nothing was stored.");

    // POST /listMessages.
    public static readonly RelayError InvalidLimit = new(400, "ERR_INVALID_LIMIT", "limit is out of range.");
    public static readonly RelayError InvalidOffset = new(400, "ERR_INVALID_OFFSET", "offset (or skip) is out of range.");
    public static readonly RelayError InvalidWait = new(400, "ERR_INVALID_WAIT", "waitSeconds is out of range.");
    public static readonly RelayError ResponseTooLarge = new(413, "ERR_MESSAGE_RESPONSE_TOO_LARGE", "The oldest message alone exceeds the response limit.");

    // POST /acknowledgeMessage.
    public static readonly RelayError MessageIdRequired = new(400, "ERR_MESSAGE_ID_REQUIRED", "Please provide the ID of the message(s) to acknowledge!");
    public static readonly RelayError InvalidMessageId = new(400, "ERR_INVALID_MESSAGE_ID", "Message IDs must be formatted as an array of strings!");
    public static readonly RelayError TooManyMessageIds = new(400, "ERR_TOO_MANY_MESSAGE_IDS", "Too many message ids in one acknowledgement.");
    public static readonly RelayError InvalidAcknowledgment = new(400, "ERR_INVALID_ACKNOWLEDGMENT", "Message not found!");

    // /permissions/* (the TypeScript server's codes).
    public static readonly RelayError InvalidPermissionRequest = new(400, "ERR_INVALID_REQUEST", "messageBox and recipientFee are required.");
    public static readonly RelayError InvalidPublicKey = new(400, "ERR_INVALID_PUBLIC_KEY", "The key must be a compressed secp256k1 public key in hex.");
    public static readonly RelayError InvalidFeeValue = new(400, "ERR_INVALID_FEE_VALUE", "recipientFee must be an integer: -1 (block), 0 (allow) or a number of satoshis up to the relay's maximum.");
    public static readonly RelayError MissingParameters = new(400, "ERR_MISSING_PARAMETERS", "A required query parameter is missing.");
    public static readonly RelayError ForeignPermissions = new(403, "ERR_FOREIGN_PERMISSIONS", "You can only read your own permission rules: recipient must be your identity key (or absent).");

    // POST /registerDevice, GET /devices (the TypeScript server's codes).
    public static readonly RelayError InvalidFcmToken = new(400, "ERR_INVALID_FCM_TOKEN", "fcmToken must be a non-empty string.");
    public static readonly RelayError InvalidPlatform = new(400, "ERR_INVALID_PLATFORM", "platform must be ios, android or web.");
    public static readonly RelayError InvalidDeviceId = new(400, "ERR_INVALID_DEVICE_ID", "deviceId must be a string of at most 256 characters without control characters.");

    /// <summary>Seconds a client is asked to wait (Retry-After) before retrying after an outage.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>Every entry above, in declaration order.</summary>
    public static IReadOnlyList<RelayError> All { get; } = [.. typeof(RelayErrors).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(RelayError)).Select(f => (RelayError)f.GetValue(null)!)];

    private static readonly Dictionary<string, RelayError> ByCode = All.ToDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>The catalogue entry for a code.</summary>
    public static RelayError Get(string code) => ByCode.TryGetValue(code, out var error) ? error : throw new KeyNotFoundException($"{code} is not in the error catalogue");

    /// <summary>What an empty or bodiless answer with this status says (a 404 from routing, a 503 from the proxy).</summary>
    public static RelayError ForStatus(int status) => status switch
    {
        404 => RouteNotFound,
        405 => MethodNotAllowed,
        413 => RequestTooLarge,
        429 => RateLimited,
        500 => Internal,
        503 => ServiceUnavailable,
        _ => new RelayError(status, $"ERR_HTTP_{status}", $"The request failed with HTTP status {status}."),
    };

    /// <summary>"400 ERR_A, ERR_B; 413 ERR_C" for documentation.</summary>
    public static string Describe(IEnumerable<RelayError> errors) =>
        string.Join("; ", errors.GroupBy(e => e.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} {string.Join(", ", g.Select(e => e.Code).Distinct())}"));
}
