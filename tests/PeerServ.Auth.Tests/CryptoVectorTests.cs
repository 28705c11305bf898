using System.Security.Cryptography;
using System.Text;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Tests;

public sealed class CryptoVectorTests
{
    public static TheoryData<int> PrivateDerivations => Vectors.Indexes("brc42_private_derivation");
    public static TheoryData<int> PublicDerivations => Vectors.Indexes("brc42_public_derivation");
    public static TheoryData<int> FlippedDerivations => Vectors.Indexes("brc42_historical_flipped_hmac_DO_NOT_USE");
    public static TheoryData<int> Invoices => Vectors.Indexes("brc43_invoice_numbers");
    public static TheoryData<int> VarInts => Vectors.Indexes("varint_encoding");

    [Theory]
    [MemberData(nameof(PrivateDerivations))]
    public void DerivePrivateKey_PublishedVector_MatchesExactly(int index)
    {
        var v = Vectors.At("brc42_private_derivation", index);
        var deriver = new KeyDeriver(PrivateKey.FromHex(v.Str("recipientPrivateKey")));

        var child = deriver.DerivePrivateKey(v.Str("invoiceNumber"), PublicKey.Parse(v.Str("senderPublicKey")));

        Assert.Equal(v.Str("privateKey"), child.ToHex());
    }

    [Theory]
    [MemberData(nameof(PublicDerivations))]
    public void DerivePublicKey_PublishedVector_MatchesExactly(int index)
    {
        var v = Vectors.At("brc42_public_derivation", index);
        var deriver = new KeyDeriver(PrivateKey.FromHex(v.Str("senderPrivateKey")));

        var child = deriver.DerivePublicKey(v.Str("invoiceNumber"), PublicKey.Parse(v.Str("recipientPublicKey")));

        Assert.Equal(v.Str("publicKey"), child.Hex);
    }

    [Theory]
    [MemberData(nameof(FlippedDerivations))]
    public void DerivePrivateKey_HistoricalSwappedHmacVector_IsNotReproduced(int index)
    {
        var v = Vectors.At("brc42_historical_flipped_hmac_DO_NOT_USE", index);
        var deriver = new KeyDeriver(PrivateKey.FromHex(v.Str("recipientPrivateKey")));
        var child = deriver.DerivePrivateKey(v.Str("invoiceNumber"), PublicKey.Parse(v.Str("senderPublicKey")));

        Assert.NotEqual(v.Str("privateKey"), child.ToHex());
    }

    [Fact]
    public void DerivedPair_PublicOfPrivateChild_EqualsSenderDerivedPublic()
    {
        var a = PrivateKey.Generate();
        var b = PrivateKey.Generate();

        var recipientSide = new KeyDeriver(b).DerivePrivateKey("2-test protocol-1", a.PublicKey);
        var senderSide = new KeyDeriver(a).DerivePublicKey("2-test protocol-1", b.PublicKey);
        var forSelf = new KeyDeriver(b).DerivePublicKey("2-test protocol-1", a.PublicKey, forSelf: true);

        Assert.Equal(senderSide, recipientSide.PublicKey);
        Assert.Equal(senderSide, forSelf);
    }

    [Fact]
    public void VerifyHash_AdjustedHashShortcut_AgreesWithExplicitChildKeyVerify()
    {
        var signer = new KeyDeriver(PrivateKey.Generate());
        var verifier = new KeyDeriver(PrivateKey.Generate());
        for (var i = 0; i < 50; i++)
        {
            var invoice = $"2-auth message signature-{i} x";
            var hash = SHA256.HashData(BitConverter.GetBytes(i));
            var signature = signer.SignHash(hash, invoice, verifier.IdentityKey);
            var childKey = verifier.DerivePublicKey(invoice, signer.IdentityKey);
            var otherHash = SHA256.HashData(hash);

            Assert.True(Ecdsa.VerifyHash(hash, signature, childKey));
            Assert.True(verifier.VerifyHash(hash, signature, invoice, signer.IdentityKey));
            Assert.False(verifier.VerifyHash(otherHash, signature, invoice, signer.IdentityKey));
            Assert.False(verifier.VerifyHash(hash, signature, invoice + "x", signer.IdentityKey));
            Assert.False(Ecdsa.VerifyHash(otherHash, signature, childKey));
        }
    }

    [Fact]
    public void SharedSecret_ManyDerivationsWithOnePeer_ComputedOnceAndCached()
    {
        var deriver = new KeyDeriver(PrivateKey.Generate());
        var peer = PrivateKey.Generate().PublicKey;

        var first = deriver.SharedSecret(peer);
        for (var i = 0; i < 10; i++)
        {
            deriver.DerivePublicKey($"2-cache test-{i}", peer);
        }

        Assert.Same(first, deriver.SharedSecret(peer));
        Assert.Equal(1, deriver.CachedPeerCount);
    }

    [Fact]
    public void AnyonePublicKey_IsGeneratorPoint()
    {
        var anyone = Vectors.Section("anyone_and_self").First();
        Assert.Equal(Vectors.Section("anyone_and_self").ElementAt(1).Str("value"), PrivateKey.FromHex(anyone.Str("value")).PublicKey.Hex);
        Assert.Equal(PublicKey.Anyone, PrivateKey.FromHex(anyone.Str("value")).PublicKey);
    }

    [Theory]
    [MemberData(nameof(Invoices))]
    public void InvoiceNumber_SdkVector_SameResultOrSameError(int index)
    {
        var v = Vectors.At("brc43_invoice_numbers", index);
        var protocol = v.GetProperty("protocolID");
        var expected = v.Str("result");
        var level = protocol[0].GetInt32();
        var name = protocol[1].GetString()!;

        if (expected.StartsWith("ERROR: ", StringComparison.Ordinal))
        {
            var error = Assert.Throws<ArgumentException>(() => InvoiceNumber.Compute(level, name, v.Str("keyID")));
            Assert.Equal(expected["ERROR: ".Length..], error.Message);
        }
        else
        {
            Assert.Equal(expected, InvoiceNumber.Compute(level, name, v.Str("keyID")));
        }
    }

    [Fact]
    public void Brc3Signature_PublishedVector_VerifiesWithSingleShaOnly()
    {
        var v = Vectors.Section("brc3_signature").Single();
        var verifier = new KeyDeriver(PrivateKey.FromHex(v.Str("verifierPrivateKey")));
        var protocol = v.GetProperty("protocolID");
        var invoice = InvoiceNumber.Compute(protocol[0].GetInt32(), protocol[1].GetString()!, v.Str("keyID"));
        var signer = PublicKey.Parse(v.Str("signerIdentityKey"));
        var message = Encoding.UTF8.GetBytes(v.Str("message_utf8"));
        var signature = Convert.FromHexString(v.Str("signature_der_hex"));

        Assert.Equal(v.Str("invoiceNumber"), invoice);
        Assert.Equal(v.Str("computed_signerChildPublicKey"), verifier.DerivePublicKey(invoice, signer).Hex);
        Assert.True(verifier.Verify(message, signature, invoice, signer));
        Assert.False(verifier.Verify(SHA256.HashData(message), signature, invoice, signer));
    }

    [Theory]
    [MemberData(nameof(VarInts))]
    public void VarInt_Vector_EncodesExactly(int index)
    {
        var v = Vectors.At("varint_encoding", index);
        Span<byte> buffer = stackalloc byte[VarInt.MaxLength];

        var n = VarInt.Encode(v.GetProperty("value").GetInt64(), buffer);

        Assert.Equal(v.Str("hex"), Convert.ToHexStringLower(buffer[..n]));
    }

    [Fact]
    public void Sign_HighSVariantOfValidSignature_StillVerifies()
    {
        var key = PrivateKey.Generate();
        var data = "high-s"u8.ToArray();
        var der = key.Sign(data);
        var highS = MakeHighS(der);

        Assert.True(Ecdsa.Verify(data, der, key.PublicKey));
        Assert.NotEqual(der, highS);
        Assert.True(Ecdsa.Verify(data, highS, key.PublicKey));
        Assert.False(Ecdsa.Verify("other"u8, highS, key.PublicKey));
    }

    [Fact]
    public void Verify_GarbageSignature_ReturnsFalseWithoutThrowing()
    {
        var key = PrivateKey.Generate();
        Assert.False(Ecdsa.Verify("x"u8, [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0xff], key.PublicKey));
        Assert.False(Ecdsa.Verify("x"u8, new byte[70], key.PublicKey));
        Assert.False(Ecdsa.Verify("x"u8, [], key.PublicKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("02")]
    [InlineData("04c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943")]
    [InlineData("02zzece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943")]
    [InlineData("020000000000000000000000000000000000000000000000000000000000000000")]
    public void PublicKeyTryParse_Invalid_ReturnsFalse(string hex) => Assert.False(PublicKey.TryParse(hex, out _));

    [Fact]
    public void PublicKeyTryParse_UppercaseAndUncompressed_NormaliseToLowercaseCompressed()
    {
        var key = PrivateKey.Generate().PublicKey;
        var uncompressed = Convert.ToHexString(Secp256k1Net.Secp256k1.DecompressPublicKey(key.Bytes));

        Assert.True(PublicKey.TryParse(key.Hex.ToUpperInvariant(), out var upper));
        Assert.True(PublicKey.TryParse(uncompressed, out var decompressed));
        Assert.Equal(key.Hex, upper.Hex);
        Assert.Equal(key.Hex, decompressed.Hex);
    }

    private static byte[] MakeHighS(byte[] der)
    {
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var rLen = der[3];
        var r = der.AsSpan(4, rLen).ToArray();
        var sLen = der[5 + rLen];
        var s = new System.Numerics.BigInteger(der.AsSpan(6 + rLen, sLen), isUnsigned: true, isBigEndian: true);
        var highS = (n - s).ToByteArray(isUnsigned: false, isBigEndian: true);
        var body = new List<byte> { 0x02, (byte)r.Length };
        body.AddRange(r);
        body.Add(0x02);
        body.Add((byte)highS.Length);
        body.AddRange(highS);
        return [0x30, (byte)body.Count, .. body];
    }
}
