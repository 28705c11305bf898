using System.Globalization;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;

namespace PeerServ.Client.Messages;

/// <summary>A listed or live body, opened: the text the sender wrote, and whether it came encrypted.</summary>
public sealed record OpenedBody(string Text, bool WasEncrypted);

/// <summary>
/// Messages as @bsv/message-box-client 2.1.1 writes and reads them. The id of a message is the hex BRC-2 HMAC, with
/// the recipient, of the UTF-8 of the body's JSON text (JavaScript's JSON.stringify of the string). An encrypted body
/// is the string {"encryptedMessage":"&lt;base64 of BRC-2 ciphertext&gt;"}, encrypted to the recipient and opened
/// with the sender as counterparty; any other body is plaintext and passes through. Both use protocol
/// [1, "messagebox"] with key id "1", so the symmetric key with each counterparty is derived once (two BRC-42
/// derivations and an ECDH) and kept: a send needs it twice (id and encryption), a list once per sender.
/// </summary>
public sealed class MessageBoxFormat(KeyDeriver keys)
{
    private const int MaxCachedCounterparties = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PublicKey, byte[]> _keys = new();

    /// <summary>BRC-43 invoice number of protocol [1, "messagebox"], key id "1".</summary>
    public static readonly string InvoiceNumber = Auth.Crypto.InvoiceNumber.Compute(1, "messagebox", "1");

    private const string EncryptedField = "encryptedMessage";

    /// <summary>The message id MessageBoxClient computes for <paramref name="body"/> sent to <paramref name="recipient"/>.</summary>
    public string MessageId(PublicKey recipient, string body) =>
        Convert.ToHexStringLower(Brc2.Hmac(KeyWith(recipient), Encoding.UTF8.GetBytes(JavaScriptJson.Stringify(body))));

    /// <summary>The body to send: <paramref name="text"/> encrypted to <paramref name="recipient"/>, in MessageBoxClient's envelope.</summary>
    public string Encrypt(PublicKey recipient, string text)
    {
        var ciphertext = Brc2.Encrypt(KeyWith(recipient), Encoding.UTF8.GetBytes(text));
        return "{\"" + EncryptedField + "\":\"" + Convert.ToBase64String(ciphertext) + "\"}";
    }

    /// <summary>
    /// What <paramref name="sender"/> wrote: an encrypted envelope (also inside a {"message": …} payment wrapper)
    /// decrypted, anything else as it is.
    /// </summary>
    /// <exception cref="MessageDecryptionException">An envelope that does not open with this identity's key.</exception>
    public OpenedBody Open(PublicKey sender, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (Envelope(body) is not { } base64)
        {
            return new OpenedBody(body, false);
        }

        byte[] ciphertext;
        try
        {
            ciphertext = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new MessageDecryptionException("The encryptedMessage field is not base64.");
        }

        var plaintext = Brc2.Decrypt(KeyWith(sender), ciphertext)
            ?? throw new MessageDecryptionException($"The message from {sender.Hex} does not decrypt with this identity's key.");
        return new OpenedBody(Encoding.UTF8.GetString(plaintext), true);
    }

    private byte[] KeyWith(PublicKey counterparty)
    {
        if (_keys.TryGetValue(counterparty, out var key))
        {
            return key;
        }

        if (_keys.Count >= MaxCachedCounterparties)
        {
            _keys.Clear();
        }

        return _keys[counterparty] = keys.SymmetricKey(InvoiceNumber, counterparty);
    }

    /// <summary>The base64 of an {"encryptedMessage": "…"} body (or of one wrapped as {"message": …}), else null.</summary>
    private static string? Envelope(string body)
    {
        if (body.Length == 0 || body[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var content = document.RootElement;
            if (content.ValueKind == JsonValueKind.Object && content.TryGetProperty("message", out var wrapped))
            {
                if (wrapped.ValueKind == JsonValueKind.String)
                {
                    return Envelope(wrapped.GetString()!);
                }

                content = wrapped;
            }

            return content.ValueKind == JsonValueKind.Object && content.TryGetProperty(EncryptedField, out var field) && field.ValueKind == JsonValueKind.String
                ? field.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>An encrypted body that this identity cannot open (not for it, or damaged).</summary>
public sealed class MessageDecryptionException(string message) : Exception(message);

/// <summary>JavaScript's JSON.stringify of a string, exactly: what MessageBoxClient hashes into a message id.</summary>
public static class JavaScriptJson
{
    /// <summary>
    /// Quotes <paramref name="text"/> as JSON.stringify does (ES2019 well-formed): \" \\ \b \f \n \r \t, other
    /// characters below U+0020 and lone surrogates as lowercase \uXXXX; everything else, non-ASCII included, as it is.
    /// </summary>
    public static string Stringify(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var json = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (c < ' ' || (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))))
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c))
                    {
                        json.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        return json.Append('"').ToString();
    }
}
