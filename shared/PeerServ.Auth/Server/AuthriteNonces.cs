using System.Security.Cryptography;
using Microsoft.Extensions.Options;

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

/// <summary>
/// Remembers (identity, request nonce) pairs of BRC-31 requests for a window, in two generations that rotate,
/// bounded in count; a pair seen again inside the window is a replay.
/// </summary>
public sealed class AuthriteReplayCache
{
    private readonly PeerServAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private HashSet<UInt128> _current = [];
    private HashSet<UInt128> _previous = [];
    private long _rotatedAt;

    public AuthriteReplayCache(IOptions<PeerServAuthOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _rotatedAt = time.GetTimestamp();
    }

    public bool TryUse(ReadOnlySpan<byte> identityKey, string requestNonce)
    {
        ArgumentNullException.ThrowIfNull(requestNonce);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(identityKey);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(requestNonce));
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(digest);

        lock (_lock)
        {
            var half = _options.AuthriteReplayWindow / 2;
            if (_time.GetElapsedTime(_rotatedAt) > half || _current.Count >= _options.MaxReplayEntries / 2)
            {
                (_previous, _current) = (_current, []);
                _rotatedAt = _time.GetTimestamp();
            }

            return !_previous.Contains(key) && _current.Add(key);
        }
    }
}
