using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace PeerServ.Auth.Server;

/// <summary>
/// Stateless BRC-31 server nonces in the cryptononce format of authrite-express: 16 bytes R ‖ first 16 bytes of
/// HMAC-SHA256(key = UTF-8 of the server private key hex, R), so any replica can check a nonce is ours. Our R is the
/// issue time (8 bytes, big-endian unix seconds) ‖ 8 random bytes, so a nonce has a bounded lifetime
/// (<see cref="PeerServAuthOptions.AuthriteServerNonceLifetime"/>) without any server state. Clients treat it as opaque.
/// authrite-js keeps its server nonce for the life of the client object: after it expires the client gets 401
/// ERR_AUTHRITE_EXPIRED_SERVER_NONCE and renews it with getServerParameters(baseUrl), or a new client object.
/// </summary>
public sealed class AuthriteNonces
{
    private readonly ServerIdentity _identity;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public AuthriteNonces(ServerIdentity identity, IOptions<PeerServAuthOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _identity = identity;
        _lifetime = options.Value.AuthriteServerNonceLifetime;
        _time = time;
    }

    /// <summary>With the default lifetime and the system clock (tests of the format).</summary>
    public AuthriteNonces(ServerIdentity identity)
        : this(identity, Options.Create(new PeerServAuthOptions()), TimeProvider.System)
    {
    }

    public string Create()
    {
        Span<byte> r = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(r, _time.GetUtcNow().ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(r[8..]);
        return Create(r);
    }

    internal string Create(ReadOnlySpan<byte> random16)
    {
        Span<byte> nonce = stackalloc byte[32];
        random16.CopyTo(nonce);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_identity.AuthriteNonceKey, nonce[..16], mac);
        mac[..16].CopyTo(nonce[16..]);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>Whether this server (any replica with its key) issued the nonce, whatever its age.</summary>
    public bool IsOurs(string? value) => TryRead(value, out _);

    /// <summary>Ours and issued within the lifetime (and not in the future beyond a minute of clock skew).</summary>
    public bool IsFresh(string? value)
    {
        if (!TryRead(value, out var issuedSeconds))
        {
            return false;
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(issuedSeconds, 0, 253402300799));
        return age <= _lifetime && age >= -TimeSpan.FromMinutes(1);
    }

    private bool TryRead(string? value, out long issuedSeconds)
    {
        issuedSeconds = 0;
        Span<byte> nonce = stackalloc byte[32];
        if (value is null || value.Length != 44 || !Convert.TryFromBase64String(value, nonce, out var n) || n != 32)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_identity.AuthriteNonceKey, nonce[..16], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..16], nonce[16..]))
        {
            return false;
        }

        issuedSeconds = BinaryPrimitives.ReadInt64BigEndian(nonce);
        return true;
    }
}
