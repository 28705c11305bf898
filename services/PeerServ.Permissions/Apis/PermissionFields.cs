using Microsoft.Extensions.Primitives;
using PeerServ.Auth.Crypto;
using PeerServ.Relay;
using PeerServ.Relay.Errors;

namespace PeerServ.Permissions.Apis;

/// <summary>The query and key rules the permission endpoints share.</summary>
internal static class PermissionFields
{
    /// <summary>A public key as the relay stores identities (compressed, lowercase hex), or the error naming <paramref name="what"/>.</summary>
    public static Parsed<string> ReadKey(string? text, string what) =>
        PublicKey.TryParse(text?.Trim(), out var key) ? key.Hex : RelayErrors.InvalidPublicKey.With($"{what} must be a compressed secp256k1 public key in hex.");

    /// <summary>A key from the query parameter <paramref name="name"/>; null when absent.</summary>
    public static Parsed<string?> ReadOptionalKey(IQueryCollection query, string name)
    {
        if (Single(query, name) is not { } text)
        {
            return (string?)null;
        }

        var key = ReadKey(text, name);
        return key.Succeeded ? key.Value : key.Error;
    }

    /// <summary>A box name from the query (the first of <paramref name="names"/> present), checked like every box name; null when absent.</summary>
    public static Parsed<string?> ReadBox(IQueryCollection query, params string[] names)
    {
        foreach (var name in names)
        {
            if (Single(query, name) is { } box)
            {
                return RelayFields.BoxError(box) is { } error ? error : box;
            }
        }

        return (string?)null;
    }

    /// <summary>A query parameter's value (the last, when repeated); null when absent or empty.</summary>
    public static string? Single(IQueryCollection query, string name) => Last(query[name]);

    /// <summary>An integer query parameter within [min, max]; <paramref name="fallback"/> when absent or empty.</summary>
    public static bool TryInt(IQueryCollection query, string name, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return Last(query[name]) is not { } text
            || (int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    private static string? Last(StringValues values) => values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;
}
