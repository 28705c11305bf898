using System.Text;

namespace PeerServ.Storage;

/// <summary>The rules for box names and message ids (design §3), shared by every endpoint that takes them.</summary>
public static class RelayFields
{
    public const int MaxBoxBytes = 128;
    public const int MaxIdBytes = 256;

    /// <summary>Null when <paramref name="box"/> is a valid box name, else the error code.</summary>
    public static string? BoxError(string box)
    {
        ArgumentNullException.ThrowIfNull(box);
        if (box.Length == 0)
        {
            return "ERR_MESSAGEBOX_REQUIRED";
        }

        if (Encoding.UTF8.GetByteCount(box) > MaxBoxBytes)
        {
            return "ERR_MESSAGEBOX_TOO_LARGE";
        }

        return char.IsWhiteSpace(box[0]) || char.IsWhiteSpace(box[^1]) || HasControl(box) ? "ERR_INVALID_MESSAGEBOX" : null;
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
