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
        if (derSignature.Length is < 8 or > 72 || hash.Length != 32)
        {
            return false;
        }

        byte[] compact;
        try
        {
            compact = Secp256k1.SignatureFromDer(derSignature);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return false;
        }

        // libsecp256k1 rejects high-S; the TS verifier accepts any valid (r, s), so normalise first.
        var normalised = Secp256k1.IsNormalizedSignature(compact) ? compact : Secp256k1.NormalizeSignature(compact);
        return Secp256k1.Verify(normalised, hash, key.Bytes);
    }
}
