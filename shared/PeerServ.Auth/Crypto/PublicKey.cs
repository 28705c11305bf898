using System.Diagnostics.CodeAnalysis;
using Secp256k1Net;

namespace PeerServ.Auth.Crypto;

/// <summary>A secp256k1 public key, always held in 33-byte compressed form; its hex is lowercase.</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _compressed;

    private PublicKey(byte[] compressed, string hex)
    {
        _compressed = compressed;
        Hex = hex;
    }

    /// <summary>The generator point G: the public key of the BRC-43 "anyone" private key 1.</summary>
    public static PublicKey Anyone { get; } = FromBytes(Convert.FromHexString("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));

    public ReadOnlySpan<byte> Bytes => _compressed;

    public string Hex { get; }

    /// <summary>Parses 66 hex characters (compressed) or 130 (uncompressed, compressed here); case-insensitive.</summary>
    public static bool TryParse(string? hex, [NotNullWhen(true)] out PublicKey? key)
    {
        key = null;
        if (hex is null || (hex.Length != 66 && hex.Length != 130))
        {
            return false;
        }

        var bytes = new byte[hex.Length / 2];
        if (Convert.FromHexString(hex, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        return TryFromBytes(bytes, out key);
    }

    public static PublicKey Parse(string hex) =>
        TryParse(hex, out var key) ? key : throw new FormatException("Not a secp256k1 public key in hex (66 or 130 characters).");

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out PublicKey? key)
    {
        key = null;
        var valid = bytes.Length switch
        {
            33 => bytes[0] is 0x02 or 0x03,
            65 => bytes[0] == 0x04,
            _ => false,
        };
        if (!valid || !Secp256k1.IsValidPublicKey(bytes))
        {
            return false;
        }

        var compressed = bytes.Length == 33 ? bytes.ToArray() : Secp256k1.CompressPublicKey(bytes);
        key = new PublicKey(compressed, Convert.ToHexStringLower(compressed));
        return true;
    }

    public static PublicKey FromBytes(ReadOnlySpan<byte> bytes) =>
        TryFromBytes(bytes, out var key) ? key : throw new FormatException("Not a secp256k1 public key.");

    public bool Equals(PublicKey? other) => other is not null && _compressed.AsSpan().SequenceEqual(other._compressed);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <summary>
    /// Over all 33 bytes, with <see cref="HashCode"/>'s per-process random seed: claimed keys are attacker-chosen, and a
    /// hash of a few of their bytes would let colliding keys chain up in one bucket of every per-peer dictionary.
    /// </summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(_compressed);
        return hash.ToHashCode();
    }

    public override string ToString() => Hex;
}
