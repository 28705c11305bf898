using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Server;

/// <summary>
/// The server's key and everything derived from it once at start-up: the BRC-42 deriver (with its per-peer
/// ECDH cache) and the MAC keys for self-contained session and Authrite nonces. Every replica holding the same
/// server key derives the same MAC keys, which is what lets any replica honour a session another one opened.
/// </summary>
public sealed class ServerIdentity
{
    public ServerIdentity(IOptions<PeerServAuthOptions> options)
        : this(PrivateKey.FromHex((options ?? throw new ArgumentNullException(nameof(options))).Value.ServerPrivateKey))
    {
    }

    public ServerIdentity(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Deriver = new KeyDeriver(key, cacheVerifiedOnly: true);
        SessionMacKey = DeriveSecret(key, "peerserv brc104 session nonce v1");
        AuthriteNonceKey = Encoding.UTF8.GetBytes(key.ToHex());
    }

    public KeyDeriver Deriver { get; }

    public PublicKey IdentityKey => Deriver.IdentityKey;

    internal byte[] SessionMacKey { get; }

    /// <summary>
    /// Keys no client may claim: the server's own (with it as the counterparty, the server's signing key for an invoice is
    /// the client-role verifying key for the same invoice, so its answers could be replayed as requests) and the
    /// "anyone" key (private key 1), whose private key everybody knows.
    /// </summary>
    public bool IsForbiddenPeer(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Hex == IdentityKey.Hex || key.Hex == AnyoneKeyHex;
    }

    /// <summary>The public key of private key 1 (the curve's generator), BRC-42's "anyone".</summary>
    public const string AnyoneKeyHex = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    internal byte[] AuthriteNonceKey { get; }

    private static byte[] DeriveSecret(PrivateKey key, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromHexString(key.ToHex()), 32, info: Encoding.UTF8.GetBytes(purpose));
}
