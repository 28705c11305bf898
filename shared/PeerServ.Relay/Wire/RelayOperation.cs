using PeerServ.Relay.Errors;

namespace PeerServ.Relay.Wire;

/// <summary>
/// One public relay operation, described once: the services map their endpoint from it (so the standalone host's
/// OpenAPI document comes from endpoint metadata) and the gateway documents the YARP route that names it in its
/// metadata ("Operation"). <paramref name="Errors"/> are the operation's own; every operation can also answer the
/// <see cref="RelayApi.CommonErrors"/>.
/// </summary>
public sealed record RelayOperation(string Name, string Method, string Path, string Tag, string Summary, Type? Request, Type Response, IReadOnlyList<RelayError> Errors)
{
    /// <summary>Every error status the operation can answer with: its own errors' and the common ones', ascending.</summary>
    public IEnumerable<int> ErrorStatuses => Errors.Concat(RelayApi.CommonErrors).Select(e => e.Status).Distinct().Order();
}

/// <summary>The public relay operations behind authentication.</summary>
public static class RelayApi
{
    public const string OperationMetadataKey = "Operation";

    public static readonly RelayOperation SendMessage = new("SendMessage", "POST", "/sendMessage", "relay",
        "Send a message into one or more recipients' boxes (all or none; 200 only once stored)", typeof(SendMessageBody), typeof(SendMessageResponse),
        [RelayErrors.MessageRequired, RelayErrors.InvalidMessage, RelayErrors.RecipientRequired, RelayErrors.InvalidRecipient, RelayErrors.InvalidRecipientKey,
            RelayErrors.DuplicateRecipient, RelayErrors.TooManyRecipients, RelayErrors.MessageBoxRequired, RelayErrors.InvalidMessageBox, RelayErrors.MessageBoxTooLarge,
            RelayErrors.MessageBodyRequired, RelayErrors.InvalidMessageBody, RelayErrors.InvalidSendMessageId, RelayErrors.MessageIdCountMismatch,
            RelayErrors.DuplicateMessage, RelayErrors.MessageBodyTooLarge, RelayErrors.DeliveryBlocked, RelayErrors.MissingPaymentTx, RelayErrors.PaymentsUnsupported,
            RelayErrors.QuotaExceeded]);

    public static readonly RelayOperation ListMessages = new("ListMessages", "POST", "/listMessages", "relay",
        "List the caller's messages in one box, oldest first (long-poll with waitSeconds)", typeof(ListMessagesBody), typeof(ListMessagesResponse),
        [RelayErrors.MessageBoxRequired, RelayErrors.InvalidMessageBox, RelayErrors.MessageBoxTooLarge, RelayErrors.InvalidLimit, RelayErrors.InvalidOffset,
            RelayErrors.InvalidWait, RelayErrors.ResponseTooLarge]);

    public static readonly RelayOperation AcknowledgeMessage = new("AcknowledgeMessage", "POST", "/acknowledgeMessage", "relay",
        "Acknowledge (delete) the caller's messages by id, in any box", typeof(AcknowledgeMessageBody), typeof(AcknowledgeMessageResponse),
        [RelayErrors.MessageIdRequired, RelayErrors.InvalidMessageId, RelayErrors.TooManyMessageIds, RelayErrors.InvalidAcknowledgment]);

    public static readonly RelayOperation SetPermission = new("SetPermission", "POST", "/permissions/set", "permissions",
        "Set the caller's rule for one sender (or box-wide) into one of its boxes: -1 blocks, 0 allows, more charges satoshis", typeof(SetPermissionBody), typeof(SetPermissionResponse),
        [RelayErrors.InvalidPermissionRequest, RelayErrors.InvalidPublicKey, RelayErrors.InvalidFeeValue, RelayErrors.MessageBoxRequired, RelayErrors.InvalidMessageBox,
            RelayErrors.MessageBoxTooLarge]);

    public static readonly RelayOperation GetPermission = new("GetPermission", "GET", "/permissions/get", "permissions",
        "The caller's exact rule for one sender (or box-wide) into one box, or null (query: messageBox, sender?, recipient? = the caller)", null, typeof(GetPermissionResponse),
        [RelayErrors.MissingParameters, RelayErrors.InvalidPublicKey, RelayErrors.InvalidMessageBox, RelayErrors.MessageBoxTooLarge, RelayErrors.ForeignPermissions]);

    public static readonly RelayOperation ListPermissions = new("ListPermissions", "GET", "/permissions/list", "permissions",
        "A page of the caller's rules, by box, box-wide first (query: message_box or messageBox, limit 1–1000 (100), offset, createdAtOrder asc|desc)", null,
        typeof(ListPermissionsResponse),
        [RelayErrors.InvalidLimit, RelayErrors.InvalidOffset, RelayErrors.MissingParameters, RelayErrors.InvalidMessageBox, RelayErrors.MessageBoxTooLarge]);

    public static readonly RelayOperation GetQuote = new("GetQuote", "GET", "/permissions/quote", "permissions",
        "What the caller would pay to send into one box of one or more recipients (query: recipient, repeated, and messageBox)", null, typeof(QuoteResponse),
        [RelayErrors.MissingParameters, RelayErrors.InvalidPublicKey, RelayErrors.TooManyRecipients, RelayErrors.InvalidMessageBox, RelayErrors.MessageBoxTooLarge]);

    public static readonly RelayOperation RegisterDevice = new("RegisterDevice", "POST", "/registerDevice", "devices",
        "Register (or refresh) an FCM token of the caller's for push notifications of new messages in its push boxes (notifications by default)", typeof(RegisterDeviceBody), typeof(RegisterDeviceResponse),
        [RelayErrors.InvalidFcmToken, RelayErrors.InvalidPlatform, RelayErrors.InvalidDeviceId]);

    public static readonly RelayOperation ListDevices = new("ListDevices", "GET", "/devices", "devices",
        "The caller's registered devices, most recently updated first (tokens truncated to their last 10 characters)", null, typeof(ListDevicesResponse), []);

    public static IReadOnlyList<RelayOperation> All { get; } =
        [SendMessage, ListMessages, AcknowledgeMessage, SetPermission, GetPermission, ListPermissions, GetQuote, RegisterDevice, ListDevices];

    /// <summary>What any authenticated operation may answer besides its own errors.</summary>
    public static IReadOnlyList<RelayError> CommonErrors { get; } =
    [
        RelayErrors.InvalidJson, RelayErrors.RequestTooLarge, RelayErrors.RateLimited, RelayErrors.ServiceUnavailable, RelayErrors.Internal,
        RelayErrors.MissingAuthHeader, RelayErrors.InvalidAuthHeader, RelayErrors.Unauthorized, RelayErrors.AuthFailed, RelayErrors.SessionNotFound,
        RelayErrors.InvalidAuthIdentity, RelayErrors.NonceReplayed,
    ];

    public static RelayOperation? Find(string? name) => All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.Ordinal));
}
