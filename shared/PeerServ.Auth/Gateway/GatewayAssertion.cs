using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;

namespace PeerServ.Auth.Gateway;

/// <summary>Configuration section "Gateway" shared by the gateway and the services behind it.</summary>
public sealed class GatewayAssertionOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Shared secret for the identity assertion (at least 32 characters). Secret: from the environment.</summary>
    [Required(ErrorMessage = "is required: a shared secret of at least 32 characters.")]
    [MinLength(32, ErrorMessage = "must be at least 32 characters.")]
    public string InternalSecret { get; set; } = "";

    /// <summary>How far an assertion's time may be from the service's clock.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// How the gateway vouches for a verified identity to the services: headers carrying the identity, the protocol
/// the caller's request nonce and "v3.&lt;unix ms&gt;.&lt;nonce&gt;.&lt;mac&gt;", the MAC being HMAC-SHA256 under the internal
/// secret over the version, time, nonce, identity, protocol, request nonce, method, path+query and the SHA-256 of the
/// body the gateway verified, so that nothing between the gateway and a service can change what the caller signed. A service accepts an assertion once, within the
/// skew window.
/// </summary>
public sealed class GatewayAssertion
{
    public const string IdentityHeader = "x-peerserv-identity";
    public const string ProtocolHeader = "x-peerserv-auth-protocol";
    public const string AssertionHeader = "x-peerserv-assertion";

    /// <summary>The nonce the caller signed its request with (what server-assigned message ids derive from); may be absent.</summary>
    public const string RequestNonceHeader = "x-peerserv-request-nonce";

    /// <summary>Headers a client may not send through the gateway (stripped there, distrusted here).</summary>
    public static readonly string[] Headers = [IdentityHeader, ProtocolHeader, AssertionHeader, RequestNonceHeader];

    private readonly byte[] _key;
    private readonly TimeSpan _skew;
    private readonly TimeProvider _time;
    private readonly NonceReplayCache _seen;

    public GatewayAssertion(GatewayAssertionOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.InternalSecret), 32, info: "peerserv gateway assertion v1"u8.ToArray());
        _skew = options.MaxClockSkew;
        _time = time;
        _seen = new NonceReplayCache(options.MaxClockSkew * 2, 2_000_000, time);
    }

    private const string Version = "v3";

    public string Create(PeerIdentity identity, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var time = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return $"{Version}.{time}.{nonce}.{Mac(time, nonce, identity.IdentityKey.Hex, identity.Protocol.ToString(), identity.RequestNonce, method, pathAndQuery, body)}";
    }

    /// <summary>
    /// Puts on <paramref name="headers"/> (an outgoing request to a service) everything a service needs to trust
    /// <paramref name="identity"/> for this request: the identity, its protocol, its request nonce and the assertion
    /// over method, target and body. Whatever a client sent under these names is removed first.
    /// </summary>
    public void Apply(System.Net.Http.Headers.HttpHeaders headers, PeerIdentity identity, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(identity);
        foreach (var name in Headers)
        {
            headers.Remove(name);
        }

        headers.TryAddWithoutValidation(IdentityHeader, identity.IdentityKey.Hex);
        headers.TryAddWithoutValidation(ProtocolHeader, identity.Protocol.ToString());
        if (identity.RequestNonce.Length > 0)
        {
            headers.TryAddWithoutValidation(RequestNonceHeader, identity.RequestNonce);
        }

        headers.TryAddWithoutValidation(AssertionHeader, Create(identity, method, pathAndQuery, body));
    }

    /// <summary>The identity the gateway vouched for, or null with the reason.</summary>
    public PeerIdentity? Verify(string? assertion, string? identityHex, string? protocol, string? requestNonce, string method, string pathAndQuery, ReadOnlySpan<byte> body, out string reason)
    {
        reason = "";
        var parts = assertion?.Split('.');
        if (parts is not { Length: 4 } || parts[0] != Version || identityHex is null || protocol is null)
        {
            reason = "missing or malformed gateway assertion";
            return null;
        }

        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || (_time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, 0, 253402300799999))).Duration() > _skew)
        {
            reason = "gateway assertion outside the time window";
            return null;
        }

        requestNonce ??= "";
        var expected = Mac(parts[1], parts[2], identityHex, protocol, requestNonce, method, pathAndQuery, body);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[3])))
        {
            reason = "gateway assertion does not verify";
            return null;
        }

        if (!PublicKey.TryParse(identityHex, out var key) || !Enum.TryParse<AuthProtocol>(protocol, out var parsedProtocol))
        {
            reason = "gateway assertion names an invalid identity";
            return null;
        }

        if (!_seen.TryUse("gateway"u8, parts[2]))
        {
            reason = "gateway assertion replayed";
            return null;
        }

        return new PeerIdentity(key, parsedProtocol) { RequestNonce = requestNonce };
    }

    private string Mac(string time, string nonce, string identity, string protocol, string requestNonce, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        var data = Encoding.UTF8.GetBytes($"{Version}\n{time}\n{nonce}\n{identity}\n{protocol}\n{requestNonce}\n{method}\n{pathAndQuery}\n{Convert.ToBase64String(SHA256.HashData(body))}");
        return Convert.ToBase64String(HMACSHA256.HashData(_key, data));
    }
}
