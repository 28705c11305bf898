using System.Security.Cryptography;
using Secp256k1Net;

namespace PeerServ.Auth.Crypto;

/// <summary>A secp256k1 private key (32-byte big-endian scalar). ToString never reveals it.</summary>
public sealed class PrivateKey
{
    private readonly byte[] _scalar;

    private PrivateKey(byte[] scalar)
    {
        _scalar = scalar;
        PublicKey = PublicKey.FromBytes(Secp256k1.CreatePublicKey(scalar, compressed: true));
    }

    public PublicKey PublicKey { get; }

    internal ReadOnlySpan<byte> Scalar => _scalar;

    public static PrivateKey Generate() => new(Secp256k1.CreateSecretKey());

    /// <summary>Parses 64 hex characters; throws <see cref="FormatException"/> with a message that never echoes the input.</summary>
    public static PrivateKey FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var trimmed = hex.Trim();
        if (trimmed.Length != 64)
        {
            throw new FormatException($"A private key is 64 hex characters; got {trimmed.Length}.");
        }

        var bytes = new byte[32];
        if (Convert.FromHexString(trimmed, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            throw new FormatException("A private key must be hex (0-9, a-f).");
        }

        return FromBytes(bytes);
    }

    public static PrivateKey FromBytes(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != 32 || !Secp256k1.IsValidSecretKey(scalar))
        {
            throw new FormatException("Not a valid secp256k1 private key (must be 32 bytes, 0 < k < n).");
        }

        return new PrivateKey(scalar.ToArray());
    }

    public string ToHex() => Convert.ToHexStringLower(_scalar);

    /// <summary>ECDSA over SHA-256(data), RFC 6979 deterministic k, low-S; DER encoded.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return Secp256k1.SignatureToDer(Secp256k1.Sign(hash, _scalar));
    }

    public override string ToString() => $"PrivateKey({PublicKey.Hex})";
}
