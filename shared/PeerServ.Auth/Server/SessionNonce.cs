using System.Buffers.Binary;
using System.Security.Cryptography;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Server;

/// <summary>
/// A self-contained BRC-104 server session nonce: the session itself, authenticated with a MAC under a key only
/// holders of the server key can derive. Layout (117 bytes, 156 base64 characters, no padding):
/// version 1 ‖ issued-at unix ms (8, BE) ‖ random (10) ‖ client identity key (33) ‖ client nonce length (1) ‖
/// client nonce (up to 48, zero-padded) ‖ HMAC-SHA256 truncated to 16.
/// Clients treat the server nonce as opaque (they only concatenate it into key IDs and decode it once at the
/// handshake), so any replica can reopen a session without shared state or sticky routing.
/// </summary>
internal static class SessionNonce
{
    public const int MaxClientNonceBytes = 48;
    private const byte Version = 1;
    private const int MacLength = 16;
    private const int BodyLength = 1 + 8 + 10 + 33 + 1 + MaxClientNonceBytes;
    public const int Length = BodyLength + MacLength;

    public static string Mint(byte[] macKey, PublicKey client, ReadOnlySpan<byte> clientNonce, DateTimeOffset now)
    {
        if (clientNonce.Length is 0 or > MaxClientNonceBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(clientNonce));
        }

        Span<byte> nonce = stackalloc byte[Length];
        nonce.Clear();
        nonce[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(nonce[1..], now.ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(9, 10));
        client.Bytes.CopyTo(nonce[19..]);
        nonce[52] = (byte)clientNonce.Length;
        clientNonce.CopyTo(nonce[53..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(macKey, nonce[..BodyLength], mac);
        mac[..MacLength].CopyTo(nonce[BodyLength..]);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>Opens a nonce this server (or a replica with the same key) minted; false for anything else.</summary>
    public static bool TryOpen(byte[] macKey, string value, out PublicKey client, out string clientNonce, out DateTimeOffset issuedAt)
    {
        client = null!;
        clientNonce = "";
        issuedAt = default;
        Span<byte> nonce = stackalloc byte[Length];
        if (value.Length != 156 || !Convert.TryFromBase64String(value, nonce, out var n) || n != Length || nonce[0] != Version)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(macKey, nonce[..BodyLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacLength], nonce[BodyLength..]))
        {
            return false;
        }

        var nonceLength = nonce[52];
        if (nonceLength is 0 or > MaxClientNonceBytes || !PublicKey.TryFromBytes(nonce.Slice(19, 33), out var key))
        {
            return false;
        }

        client = key;
        clientNonce = Convert.ToBase64String(nonce.Slice(53, nonceLength));
        issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(nonce[1..]));
        return true;
    }
}
