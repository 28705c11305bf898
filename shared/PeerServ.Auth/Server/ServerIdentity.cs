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
        Deriver = new KeyDeriver(key);
        SessionMacKey = DeriveSecret(key, "peerserv brc104 session nonce v1");
        AuthriteNonceKey = Encoding.UTF8.GetBytes(key.ToHex());
    }

    public KeyDeriver Deriver { get; }

    public PublicKey IdentityKey => Deriver.IdentityKey;

    internal byte[] SessionMacKey { get; }

    internal byte[] AuthriteNonceKey { get; }

    private static byte[] DeriveSecret(PrivateKey key, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromHexString(key.ToHex()), 32, info: Encoding.UTF8.GetBytes(purpose));
}
