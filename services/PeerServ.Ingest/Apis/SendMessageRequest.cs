using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.ServiceDefaults.Endpoints;
using PeerServ.Storage;

namespace PeerServ.Ingest.Apis;

/// <summary>
/// A /sendMessage body (README, "The relay API"): `recipient` (key or keys) or `recipients`, `messageBox`, optional
/// `messageId` (one per recipient), and `body` (a string, or an object/array kept as its JSON text).
/// </summary>
/// <param name="HasPayment">The body carries a non-null "payment" (accepted and ignored on a free send).</param>
public sealed record SendMessageRequest(IReadOnlyList<string> Recipients, string MessageBox, IReadOnlyList<string>? MessageIds, string Body, bool HasPayment = false)
    : IRelayRequest<SendMessageRequest>
{
    public static long MaxBodyBytes(RelayOptions options) => options.MaxSendRequestBytes;

    public static RelayError TooLarge => RelayErrors.MessageBodyTooLarge;

    public static Parsed<SendMessageRequest> Parse(RelayInput input, RelayOptions options)
    {
        if (!input.Body.TryGetProperty("message", out var message) || message.ValueKind == JsonValueKind.Null)
        {
            return RelayErrors.MessageRequired;
        }

        if (message.ValueKind != JsonValueKind.Object)
        {
            return RelayErrors.InvalidMessage;
        }

        var recipients = ParseRecipients(message, options);
        if (!recipients.Succeeded)
        {
            return recipients.Error;
        }

        var box = RelayFields.ReadBox(message);
        if (!box.Succeeded)
        {
            return box.Error;
        }

        var body = ParseBody(message, options);
        if (!body.Succeeded)
        {
            return body.Error;
        }

        var ids = ParseIds(message, recipients.Value.Count);
        var payment = input.Body.TryGetProperty("payment", out var paid) && paid.ValueKind != JsonValueKind.Null;
        return ids.Succeeded ? new SendMessageRequest(recipients.Value, box.Value, ids.Value, body.Value, payment) : ids.Error;
    }

    /// <summary>
    /// The message to store: one delivery per recipient (with the sent ids, or fresh random ones), created now. The
    /// clock is cut to milliseconds because both stores keep milliseconds, so that a retried send compares equal.
    /// </summary>
    /// <param name="sender">The verified caller.</param>
    /// <param name="requestNonce">The nonce the caller signed this request with; empty when unknown.</param>
    /// <param name="now">The send's time.</param>
    /// <param name="retention">How long the message is kept unacknowledged.</param>
    public NewMessage ToMessage(string sender, string requestNonce, DateTimeOffset now, TimeSpan retention)
    {
        var ids = MessageIds ?? [.. Recipients.Select(recipient => ServerAssignedId(sender, requestNonce, recipient))];
        var created = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        return new NewMessage(sender, MessageBox, Body, [.. Recipients.Zip(ids, (recipient, id) => new Delivery(recipient, id))], created, created + retention);
    }

    /// <summary>
    /// The id of a delivery whose sender named none: derived from (sender, the request's signed nonce, recipient), so
    /// that the same request replayed — to another gateway replica, after a restart, after its replay memory is gone —
    /// gets the same ids and stores nothing twice; a new request (a new nonce) gets new ids. Random only when the
    /// nonce is unknown.
    /// </summary>
    internal static string ServerAssignedId(string sender, string requestNonce, string recipient)
    {
        if (requestNonce.Length == 0)
        {
            return Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        }

        var input = Encoding.UTF8.GetBytes($"peerserv message id v1\n{sender}\n{requestNonce}\n{recipient}");
        return Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 16));
    }

    private static Parsed<List<string>> ParseRecipients(JsonElement message, RelayOptions options)
    {
        var hasOne = message.TryGetProperty("recipient", out var one) && one.ValueKind != JsonValueKind.Null;
        var hasMany = message.TryGetProperty("recipients", out var many) && many.ValueKind != JsonValueKind.Null;
        if (!hasOne && !hasMany)
        {
            return RelayErrors.RecipientRequired;
        }

        var raw = new List<JsonElement>();
        foreach (var source in new[] { hasOne ? one : default, hasMany ? many : default })
        {
            if (source.ValueKind == JsonValueKind.Array)
            {
                raw.AddRange(source.EnumerateArray());
            }
            else if (source.ValueKind != JsonValueKind.Undefined)
            {
                raw.Add(source);
            }
        }

        var keys = new List<string>(raw.Count);
        foreach (var element in raw)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                return RelayErrors.InvalidRecipient;
            }

            var text = element.GetString()!.Trim();
            if (!PublicKey.TryParse(text, out var key))
            {
                return RelayErrors.InvalidRecipientKey.With($"Invalid recipient key: {(text.Length > 140 ? text[..140] + "…" : text)}");
            }

            keys.Add(key.Hex);
        }

        if (hasOne && hasMany)
        {
            // Both spellings at once are accepted only when they name the same keys.
            var distinct = keys.Distinct(StringComparer.Ordinal).ToList();
            var oneCount = one.ValueKind == JsonValueKind.Array ? one.GetArrayLength() : 1;
            if (distinct.Count != oneCount || distinct.Count != keys.Count - oneCount)
            {
                return RelayErrors.InvalidRecipient.With("\"recipient\" and \"recipients\" name different keys; send one of them.");
            }

            keys = distinct;
        }

        if (keys.Count == 0)
        {
            return RelayErrors.RecipientRequired.With("At least one recipient is required.");
        }

        if (keys.Count > options.MaxRecipients)
        {
            return RelayErrors.TooManyRecipients.With($"At most {options.MaxRecipients} recipients per message.");
        }

        return keys.Distinct(StringComparer.Ordinal).Count() != keys.Count ? RelayErrors.DuplicateRecipient : keys;
    }

    private static Parsed<string> ParseBody(JsonElement message, RelayOptions options)
    {
        if (!message.TryGetProperty("body", out var element) || element.ValueKind == JsonValueKind.Null
            || (element.ValueKind == JsonValueKind.String && element.GetString()!.Length == 0))
        {
            return RelayErrors.MessageBodyRequired;
        }

        var body = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.Object or JsonValueKind.Array => element.GetRawText(),
            _ => null,
        };
        if (body is null)
        {
            return RelayErrors.InvalidMessageBody;
        }

        return Encoding.UTF8.GetByteCount(body) > options.MaxMessageBytes
            ? RelayErrors.MessageBodyTooLarge.With($"The message body is larger than the limit of {options.MaxMessageBytes} bytes.")
            : body;
    }

    /// <summary>The sent ids, one per recipient; null (the server assigns them) when none were sent.</summary>
    private static Parsed<List<string>?> ParseIds(JsonElement message, int recipientCount)
    {
        if (!message.TryGetProperty("messageId", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (List<string>?)null;
        }

        var raw = element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToList() : [element];
        if (raw.Count != recipientCount)
        {
            return RelayErrors.MessageIdCountMismatch.With($"Recipients ({recipientCount}) and messageId count ({raw.Count}) must match.");
        }

        var ids = new List<string>(raw.Count);
        foreach (var id in raw)
        {
            if (RelayFields.ReadId(id) is not { } text)
            {
                return RelayErrors.InvalidSendMessageId;
            }

            ids.Add(text);
        }

        return ids;
    }
}
