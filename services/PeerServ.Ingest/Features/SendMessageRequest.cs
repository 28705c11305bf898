using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Ingest.Features;

/// <summary>
/// A /sendMessage body, validated by design §3: `recipient` (key or keys) or `recipients`, `messageBox`, optional
/// `messageId` (one per recipient), and `body` (a string, or an object/array kept as its JSON text).
/// </summary>
internal sealed record SendMessageRequest(IReadOnlyList<string> Recipients, string MessageBox, IReadOnlyList<string>? MessageIds, string Body)
{
    public static (SendMessageRequest? Request, IResult? Error) Parse(JsonElement root, RelayOptions options)
    {
        if (!root.TryGetProperty("message", out var message) || message.ValueKind == JsonValueKind.Null)
        {
            return Fail("ERR_MESSAGE_REQUIRED", "Please provide a valid message to send!");
        }

        if (message.ValueKind != JsonValueKind.Object)
        {
            return Fail("ERR_INVALID_MESSAGE", "The message must be a JSON object.");
        }

        var (recipients, recipientError) = ParseRecipients(message, options);
        if (recipientError is not null)
        {
            return (null, recipientError);
        }

        if (!message.TryGetProperty("messageBox", out var boxElement) || boxElement.ValueKind == JsonValueKind.Null)
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

        var (body, bodyError) = ParseBody(message, options);
        if (bodyError is not null)
        {
            return (null, bodyError);
        }

        var (ids, idError) = ParseIds(message, recipients!.Count);
        return idError is not null ? (null, idError) : (new SendMessageRequest(recipients, box, ids, body!), null);
    }

    private static (List<string>? Recipients, IResult? Error) ParseRecipients(JsonElement message, RelayOptions options)
    {
        var hasOne = message.TryGetProperty("recipient", out var one) && one.ValueKind != JsonValueKind.Null;
        var hasMany = message.TryGetProperty("recipients", out var many) && many.ValueKind != JsonValueKind.Null;
        if (!hasOne && !hasMany)
        {
            return Fail<List<string>>("ERR_RECIPIENT_REQUIRED", "Missing recipient(s). Provide \"recipient\" or \"recipients\".");
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
                return Fail<List<string>>("ERR_INVALID_RECIPIENT", "Each recipient must be a public key string.");
            }

            var text = element.GetString()!.Trim();
            if (!PublicKey.TryParse(text, out var key))
            {
                return Fail<List<string>>("ERR_INVALID_RECIPIENT_KEY", $"Invalid recipient key: {(text.Length > 140 ? text[..140] + "…" : text)}");
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
                return Fail<List<string>>("ERR_INVALID_RECIPIENT", "\"recipient\" and \"recipients\" name different keys; send one of them.");
            }

            keys = distinct;
        }

        if (keys.Count == 0)
        {
            return Fail<List<string>>("ERR_RECIPIENT_REQUIRED", "At least one recipient is required.");
        }

        if (keys.Count > options.MaxRecipients)
        {
            return Fail<List<string>>("ERR_TOO_MANY_RECIPIENTS", $"At most {options.MaxRecipients} recipients per message.");
        }

        return keys.Distinct(StringComparer.Ordinal).Count() != keys.Count
            ? Fail<List<string>>("ERR_DUPLICATE_RECIPIENT", "A recipient appears more than once.")
            : (keys, null);
    }

    private static (string? Body, IResult? Error) ParseBody(JsonElement message, RelayOptions options)
    {
        if (!message.TryGetProperty("body", out var element) || element.ValueKind == JsonValueKind.Null
            || (element.ValueKind == JsonValueKind.String && element.GetString()!.Length == 0))
        {
            return Fail<string>("ERR_MESSAGE_BODY_REQUIRED", "Every message must have a body!");
        }

        var body = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.Object or JsonValueKind.Array => element.GetRawText(),
            _ => null,
        };
        if (body is null)
        {
            return Fail<string>("ERR_INVALID_MESSAGE_BODY", "The message body must be a string (or a JSON object or array).");
        }

        return Encoding.UTF8.GetByteCount(body) > options.MaxMessageBytes
            ? (null, ApiResults.Error(StatusCodes.Status413PayloadTooLarge, "ERR_MESSAGE_BODY_TOO_LARGE", $"The message body is larger than the limit of {options.MaxMessageBytes} bytes."))
            : (body, null);
    }

    private static (List<string>? Ids, IResult? Error) ParseIds(JsonElement message, int recipientCount)
    {
        if (!message.TryGetProperty("messageId", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        var raw = element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToList() : [element];
        if (raw.Count != recipientCount)
        {
            return Fail<List<string>>("ERR_MESSAGEID_COUNT_MISMATCH", $"Recipients ({recipientCount}) and messageId count ({raw.Count}) must match.");
        }

        var ids = new List<string>(raw.Count);
        foreach (var id in raw)
        {
            var text = id.ValueKind switch
            {
                JsonValueKind.String => id.GetString(),
                JsonValueKind.Number => id.GetRawText(),
                _ => null,
            };
            if (text is null || !RelayFields.IsValidId(text))
            {
                return Fail<List<string>>("ERR_INVALID_MESSAGEID", $"Each messageId must be a string of 1-{RelayFields.MaxIdBytes} UTF-8 bytes without control characters.");
            }

            ids.Add(text);
        }

        return (ids, null);
    }

    private static (SendMessageRequest? Request, IResult? Error) Fail(string code, string description) => (null, ApiResults.BadRequest(code, description));

    private static (T? Value, IResult? Error) Fail<T>(string code, string description)
        where T : class => (null, ApiResults.BadRequest(code, description));
}
