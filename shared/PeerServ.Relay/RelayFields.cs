using System.Text;
using System.Text.Json;
using PeerServ.Relay.Errors;

namespace PeerServ.Relay;

/// <summary>The rules for box names and message ids (README, "The relay API"), shared by every endpoint that takes them.</summary>
public static class RelayFields
{
    public const int MaxBoxBytes = 128;
    public const int MaxIdBytes = 256;

    private const string BoxRule = "A message box name is 1-128 UTF-8 bytes, without control characters or leading/trailing whitespace.";

    /// <summary>Null when <paramref name="box"/> is a valid box name, else the error to answer with.</summary>
    public static RelayError? BoxError(string box)
    {
        ArgumentNullException.ThrowIfNull(box);
        if (box.Length == 0)
        {
            return RelayErrors.MessageBoxRequired.With(BoxRule);
        }

        if (Encoding.UTF8.GetByteCount(box) > MaxBoxBytes)
        {
            return RelayErrors.MessageBoxTooLarge.With(BoxRule);
        }

        return char.IsWhiteSpace(box[0]) || char.IsWhiteSpace(box[^1]) || HasControl(box) ? RelayErrors.InvalidMessageBox.With(BoxRule) : null;
    }

    /// <summary>The "messageBox" property of <paramref name="parent"/>: required, a string, a valid box name.</summary>
    public static Parsed<string> ReadBox(JsonElement parent)
    {
        if (!parent.TryGetProperty("messageBox", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return RelayErrors.MessageBoxRequired;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return RelayErrors.InvalidMessageBox;
        }

        var box = element.GetString()!;
        return BoxError(box) is { } error ? error : box;
    }

    /// <summary>A message id as sent: a string, or a number read as its decimal text; null when it is neither or breaks the id rules.</summary>
    public static string? ReadId(JsonElement element)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        return text is not null && IsValidId(text) ? text : null;
    }

    /// <summary>1–256 UTF-8 bytes, no control characters, no leading or trailing whitespace.</summary>
    public static bool IsValidId(string id) =>
        id.Length > 0 && Encoding.UTF8.GetByteCount(id) <= MaxIdBytes && !HasControl(id) && !char.IsWhiteSpace(id[0]) && !char.IsWhiteSpace(id[^1]);

    /// <summary>C0, DEL and C1 control characters, and unpaired surrogates (not valid UTF-8).</summary>
    private static bool HasControl(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x20 || c is >= (char)0x7f and <= (char)0x9f)
            {
                return true;
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }
}
