using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Secp256k1Net;

namespace PeerServ.Auth.Crypto;

/// <summary>
/// BRC-42 key derivation and BRC-3 signatures for one root key. The ECDH shared point with each counterparty is
/// constant, so it is computed once and cached; per call only an HMAC and one tweak (or sign/verify) remain. With
/// <c>cacheVerifiedOnly</c> (the server's identity), a counterparty enters the cache only once a signature of theirs
/// verified: claimed keys cost the server an ECDH each, never a place in its memory.
/// </summary>
public sealed class KeyDeriver
{
    private static readonly BigInteger Order = BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    private readonly ConcurrentDictionary<PublicKey, byte[]> _sharedSecrets = new();
    private readonly int _maxCachedPeers;
    private readonly bool _cacheVerifiedOnly;

    public KeyDeriver(PrivateKey root, int maxCachedPeers = 100_000, bool cacheVerifiedOnly = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = root;
        _maxCachedPeers = maxCachedPeers;
        _cacheVerifiedOnly = cacheVerifiedOnly;
    }

    public PrivateKey Root { get; }

    public PublicKey IdentityKey => Root.PublicKey;

    internal int CachedPeerCount => _sharedSecrets.Count;

    /// <summary>Whether the shared point with this counterparty is cached (a verification of theirs will cost no ECDH).</summary>
    public bool IsCached(PublicKey counterparty) => _sharedSecrets.ContainsKey(counterparty);

    /// <summary>Forgets every cached shared point (benchmarks measure the cold path with it).</summary>
    internal void ClearCache() => _sharedSecrets.Clear();

    /// <summary>Compressed 33-byte point root·counterparty (the BRC-42 HMAC key), cached per counterparty.</summary>
    public byte[] SharedSecret(PublicKey counterparty)
    {
        ArgumentNullException.ThrowIfNull(counterparty);
        if (_sharedSecrets.TryGetValue(counterparty, out var shared))
        {
            return shared;
        }

        shared = Secp256k1.TweakPublicKeyMul(counterparty.Bytes, Root.Scalar, compressed: true);
        if (!_cacheVerifiedOnly)
        {
            Remember(counterparty, shared);
        }

        return shared;
    }

    private void Remember(PublicKey counterparty, byte[] shared)
    {
        if (_sharedSecrets.Count >= _maxCachedPeers)
        {
            // Bounded memory: a full cache starts over rather than growing without limit.
            _sharedSecrets.Clear();
        }

        _sharedSecrets[counterparty] = shared;
    }

    /// <summary>The BRC-42 scalar HMAC(key = shared point, message = UTF-8 invoice).</summary>
    public byte[] Tweak(PublicKey counterparty, string invoiceNumber) => Tweak(SharedSecret(counterparty), invoiceNumber);

    private static byte[] Tweak(byte[] shared, string invoiceNumber)
    {
        ArgumentNullException.ThrowIfNull(invoiceNumber);
        var max = Encoding.UTF8.GetMaxByteCount(invoiceNumber.Length);
        Span<byte> message = max <= 1024 ? stackalloc byte[max] : new byte[max];
        var written = Encoding.UTF8.GetBytes(invoiceNumber, message);
        return HMACSHA256.HashData(shared, message[..written]);
    }

    /// <summary>Recipient role: (root + tweak) mod n.</summary>
    public PrivateKey DerivePrivateKey(string invoiceNumber, PublicKey counterparty) =>
        PrivateKey.FromBytes(ChildScalar(invoiceNumber, counterparty));

    /// <summary>Sender role: counterparty + tweak·G; with <paramref name="forSelf"/>, the public key of <see cref="DerivePrivateKey"/>.</summary>
    public PublicKey DerivePublicKey(string invoiceNumber, PublicKey counterparty, bool forSelf = false)
    {
        ArgumentNullException.ThrowIfNull(counterparty);
        var tweak = Tweak(counterparty, invoiceNumber);
        var basePoint = forSelf ? IdentityKey : counterparty;
        return PublicKey.FromBytes(AddTweak(basePoint, tweak));
    }

    /// <summary>
    /// The BRC-2 symmetric key for <paramref name="invoiceNumber"/> with <paramref name="counterparty"/>: the 32-byte X
    /// coordinate of our derived private key times their derived public key (the same key on both sides; not a hash of
    /// the point, whatever the BRC-2 prose says — see the brc2_encryption vector).
    /// </summary>
    public byte[] SymmetricKey(string invoiceNumber, PublicKey counterparty)
    {
        ArgumentNullException.ThrowIfNull(counterparty);
        var own = ChildScalar(invoiceNumber, counterparty);
        var theirs = DerivePublicKey(invoiceNumber, counterparty);
        return Secp256k1.TweakPublicKeyMul(theirs.Bytes, own, compressed: true)[1..];
    }

    /// <summary>BRC-3 createSignature over a precomputed SHA-256 hash; returns DER.</summary>
    public byte[] SignHash(ReadOnlySpan<byte> hash, string invoiceNumber, PublicKey counterparty)
    {
        var child = ChildScalar(invoiceNumber, counterparty);
        return Secp256k1.SignatureToDer(Secp256k1.Sign(hash, child));
    }

    public byte[] Sign(ReadOnlySpan<byte> data, string invoiceNumber, PublicKey counterparty)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return SignHash(hash, invoiceNumber, counterparty);
    }

    /// <summary>BRC-3 verifySignature: the signer's child key is counterparty + tweak·G.</summary>
    /// <remarks>
    /// Instead of computing the child key Q = P + t·G (a point operation as costly as the verify itself), this uses
    /// the identity u1·G + u2·Q = ((e + r·t)/s)·G + (r/s)·P: a signature (r, s) over hash e verifies under Q exactly
    /// when it verifies over hash e' = e + r·t (mod n) under the counterparty's own key P. One verify, no tweak.
    /// </remarks>
    public bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> derSignature, string invoiceNumber, PublicKey counterparty)
    {
        ArgumentNullException.ThrowIfNull(counterparty);
        if (hash.Length != 32 || !Ecdsa.TryParseDer(derSignature, out var compact))
        {
            return false;
        }

        var cached = _sharedSecrets.TryGetValue(counterparty, out var shared);
        shared ??= Secp256k1.TweakPublicKeyMul(counterparty.Bytes, Root.Scalar, compressed: true);
        var tweak = Tweak(shared, invoiceNumber);
        var r = new BigInteger(compact.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(hash, isUnsigned: true, isBigEndian: true);
        var t = new BigInteger(tweak, isUnsigned: true, isBigEndian: true);
        var adjusted = ToScalar((e + (r * t)) % Order);
        if (!Secp256k1.Verify(compact, adjusted, counterparty.Bytes))
        {
            return false;
        }

        if (!cached)
        {
            // Only a counterparty whose signature verified takes a place in the cache.
            Remember(counterparty, shared);
        }

        return true;
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> derSignature, string invoiceNumber, PublicKey counterparty)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return VerifyHash(hash, derSignature, invoiceNumber, counterparty);
    }

    private byte[] ChildScalar(string invoiceNumber, PublicKey counterparty)
    {
        var tweak = Tweak(counterparty, invoiceNumber);
        return Secp256k1.IsValidSecretKey(tweak)
            ? Secp256k1.TweakSecretKeyAdd(Root.Scalar, tweak)
            : ReduceAdd(Root.Scalar, tweak);
    }

    private static byte[] AddTweak(PublicKey point, byte[] tweak) =>
        Secp256k1.IsValidSecretKey(tweak)
            ? Secp256k1.TweakPublicKeyAdd(point.Bytes, tweak, compressed: true)
            : Secp256k1.TweakPublicKeyAdd(point.Bytes, ToScalar(new BigInteger(tweak, isUnsigned: true, isBigEndian: true) % Order), compressed: true);

    // The HMAC is used unreduced; the ≈2^-128 case tweak ≥ n is reduced here (libsecp256k1 refuses it).
    private static byte[] ReduceAdd(ReadOnlySpan<byte> scalar, byte[] tweak)
    {
        var sum = (new BigInteger(scalar, isUnsigned: true, isBigEndian: true) + new BigInteger(tweak, isUnsigned: true, isBigEndian: true)) % Order;
        return ToScalar(sum);
    }

    private static byte[] ToScalar(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes.AsSpan(32 - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }
}
