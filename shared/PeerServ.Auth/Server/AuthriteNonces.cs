using System.Security.Cryptography;

namespace PeerServ.Auth.Server;

/// <summary>
/// Stateless BRC-31 server nonces in the cryptononce format of authrite-express: 16 random bytes ‖ first 16 bytes
/// of HMAC-SHA256(key = UTF-8 of the server private key hex, random), so any replica can check a nonce is ours. Authrite clients keep the server's
/// initial nonce for the life of the process and cannot recover from its rejection, so these do not expire.
/// </summary>
public sealed class AuthriteNonces(ServerIdentity identity)
{
    public string Create()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Create(random);
    }

    internal string Create(ReadOnlySpan<byte> random16)
    {
        Span<byte> nonce = stackalloc byte[32];
        random16.CopyTo(nonce);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(identity.AuthriteNonceKey, nonce[..16], mac);
        mac[..16].CopyTo(nonce[16..]);
        return Convert.ToBase64String(nonce);
    }

    public bool IsOurs(string? value)
    {
        Span<byte> nonce = stackalloc byte[32];
        if (value is null || value.Length != 44 || !Convert.TryFromBase64String(value, nonce, out var n) || n != 32)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(identity.AuthriteNonceKey, nonce[..16], mac);
        return CryptographicOperations.FixedTimeEquals(mac[..16], nonce[16..]);
    }
}
