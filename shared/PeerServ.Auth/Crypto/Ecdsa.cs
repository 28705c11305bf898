using System.Security.Cryptography;
using Secp256k1Net;

namespace PeerServ.Auth.Crypto;

/// <summary>ECDSA verification over a single SHA-256, accepting high-S signatures as the reference verifier does.</summary>
public static class Ecdsa
{
    public static bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> derSignature, PublicKey key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return VerifyHash(hash, derSignature, key);
    }

    public static bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> derSignature, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return hash.Length == 32 && TryParseDer(derSignature, out var compact) && Secp256k1.Verify(compact, hash, key.Bytes);
    }

    /// <summary>Strict DER to 64-byte compact (r ‖ s), normalised to low S: the TS verifier accepts any valid (r, s), libsecp256k1 only low S.</summary>
    internal static bool TryParseDer(ReadOnlySpan<byte> derSignature, out byte[] compact)
    {
        compact = [];
        if (derSignature.Length is < 8 or > 72)
        {
            return false;
        }

        try
        {
            compact = Secp256k1.SignatureFromDer(derSignature);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return false;
        }

        if (!Secp256k1.IsNormalizedSignature(compact))
        {
            compact = Secp256k1.NormalizeSignature(compact);
        }

        return true;
    }
}
