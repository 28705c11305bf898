using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using PeerServ.Auth.Crypto;

namespace PeerServ.Client.Messages;

/// <summary>
/// BRC-2 encryption and HMAC between two identities, as @bsv/sdk's ProtoWallet does them: the BRC-42 symmetric key
/// of an invoice number, AES-256-GCM with a random 32-byte IV (BouncyCastle's GCM: .NET's AesGcm takes 12-byte
/// nonces only) laid out IV ‖ ciphertext ‖ 16-byte tag, and HMAC-SHA256.
/// </summary>
public static class Brc2
{
    private const int IvBytes = 32;
    private const int TagBits = 128;

    public static byte[] Encrypt(KeyDeriver keys, string invoiceNumber, PublicKey counterparty, ReadOnlySpan<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Encrypt(keys.SymmetricKey(invoiceNumber, counterparty), plaintext);
    }

    /// <summary>Encrypts under a symmetric key already derived (<see cref="KeyDeriver.SymmetricKey"/>).</summary>
    public static byte[] Encrypt(byte[] symmetricKey, ReadOnlySpan<byte> plaintext)
    {
        var iv = RandomNumberGenerator.GetBytes(IvBytes);
        var gcm = Gcm(forEncryption: true, symmetricKey, iv);
        var output = new byte[IvBytes + gcm.GetOutputSize(plaintext.Length)];
        iv.CopyTo(output, 0);
        var written = gcm.ProcessBytes(plaintext, output.AsSpan(IvBytes));
        gcm.DoFinal(output.AsSpan(IvBytes + written));
        return output;
    }

    /// <summary>The plaintext, or null when the ciphertext is too short or does not authenticate under this key.</summary>
    public static byte[]? Decrypt(KeyDeriver keys, string invoiceNumber, PublicKey counterparty, ReadOnlySpan<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Decrypt(keys.SymmetricKey(invoiceNumber, counterparty), ciphertext);
    }

    /// <summary>Decrypts under a symmetric key already derived; null when too short or not authentic.</summary>
    public static byte[]? Decrypt(byte[] symmetricKey, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < IvBytes + (TagBits / 8))
        {
            return null;
        }

        var gcm = Gcm(forEncryption: false, symmetricKey, ciphertext[..IvBytes].ToArray());
        var body = ciphertext[IvBytes..];
        var plaintext = new byte[gcm.GetOutputSize(body.Length)];
        try
        {
            var written = gcm.ProcessBytes(body, plaintext);
            written += gcm.DoFinal(plaintext.AsSpan(written));
            return plaintext[..written];
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
    }

    /// <summary>
    /// HMAC-SHA256 keyed with the symmetric key in its minimal big-endian form — leading zero bytes dropped, as
    /// @bsv/sdk's createHmac does (the sdk_createHmac_leading_zero_quirk vector); encryption keeps all 32 bytes.
    /// </summary>
    public static byte[] Hmac(KeyDeriver keys, string invoiceNumber, PublicKey counterparty, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Hmac(keys.SymmetricKey(invoiceNumber, counterparty), data);
    }

    /// <summary>HMAC under a symmetric key already derived (its leading zero bytes dropped, as the SDK keys it).</summary>
    public static byte[] Hmac(byte[] key, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(key);
        var start = 0;
        while (start < key.Length - 1 && key[start] == 0)
        {
            start++;
        }

        return HMACSHA256.HashData(key.AsSpan(start), data);
    }

    private static GcmBlockCipher Gcm(bool forEncryption, byte[] key, byte[] iv)
    {
        var gcm = new GcmBlockCipher(new Org.BouncyCastle.Crypto.Engines.AesEngine());
        gcm.Init(forEncryption, new AeadParameters(new KeyParameter(key), TagBits, iv));
        return gcm;
    }
}
