using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Client.Messages;

namespace PeerServ.Client.Tests;

/// <summary>vectors.json brc2_encryption, brc2_hmac and sdk_createHmac_leading_zero_quirk, reproduced.</summary>
public sealed class Brc2VectorTests
{
    private static readonly JsonElement Root = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors.json"))).RootElement;

    [Fact]
    public void Encryption_Vector_SymmetricKeyAndPlaintext()
    {
        var v = Root.GetProperty("brc2_encryption")[0];
        var keys = new KeyDeriver(PrivateKey.FromHex(v.GetProperty("identityPrivateKey").GetString()!));
        var counterparty = PublicKey.Parse(v.GetProperty("counterparty").GetString()!);
        var invoice = v.GetProperty("invoiceNumber").GetString()!;
        var ciphertext = v.GetProperty("ciphertext_bytes").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray();

        Assert.Equal(invoice, InvoiceNumber.Compute(2, "BRC2 Test", "42"));
        Assert.Equal(v.GetProperty("computed_symmetricKey_xcoord").GetString(), Convert.ToHexStringLower(keys.SymmetricKey(invoice, counterparty)));
        Assert.Equal(v.GetProperty("plaintext_utf8").GetString(), Encoding.UTF8.GetString(Brc2.Decrypt(keys, invoice, counterparty, ciphertext)!));
    }

    [Fact]
    public void Encryption_RoundTrip_BetweenTwoIdentities_TamperedCiphertextRefused()
    {
        var alice = new KeyDeriver(PrivateKey.Generate());
        var bob = new KeyDeriver(PrivateKey.Generate());
        var invoice = MessageBoxFormat.InvoiceNumber;

        var sealedBytes = Brc2.Encrypt(alice, invoice, bob.IdentityKey, "for bob 🌍"u8);
        var opened = Brc2.Decrypt(bob, invoice, alice.IdentityKey, sealedBytes);
        sealedBytes[40] ^= 1;

        Assert.Equal("for bob 🌍", Encoding.UTF8.GetString(opened!));
        Assert.Equal(32 + 12 + 16, Brc2.Encrypt(alice, invoice, bob.IdentityKey, "twelve bytes"u8).Length);
        Assert.Null(Brc2.Decrypt(bob, invoice, alice.IdentityKey, sealedBytes));
        Assert.Null(Brc2.Decrypt(new KeyDeriver(PrivateKey.Generate()), invoice, alice.IdentityKey, Brc2.Encrypt(alice, invoice, bob.IdentityKey, "x"u8)));
    }

    [Fact]
    public void Hmac_Vector()
    {
        var v = Root.GetProperty("brc2_hmac")[0];
        var keys = new KeyDeriver(PrivateKey.FromHex(v.GetProperty("identityPrivateKey").GetString()!));
        var expected = v.GetProperty("hmac_bytes").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray();

        var hmac = Brc2.Hmac(keys, InvoiceNumber.Compute(2, "BRC2 Test", "42"), PublicKey.Parse(v.GetProperty("counterparty").GetString()!), Encoding.UTF8.GetBytes(v.GetProperty("message_utf8").GetString()!));

        Assert.Equal(expected, hmac);
    }

    [Fact]
    public void Hmac_KeyWithALeadingZero_KeyedWithItsMinimalBytes_AsTheSdkDoes()
    {
        var v = Root.GetProperty("sdk_createHmac_leading_zero_quirk")[0];
        var keys = new KeyDeriver(PrivateKey.FromHex(v.GetProperty("rootPrivateKey").GetString()!));
        var invoice = InvoiceNumber.Compute(2, "server hmac", "k400");

        var symmetric = keys.SymmetricKey(invoice, keys.IdentityKey);
        var hmac = Brc2.Hmac(keys, invoice, keys.IdentityKey, Convert.FromHexString(v.GetProperty("data_hex").GetString()!));

        Assert.Equal(v.GetProperty("symmetricKey_32bytes").GetString(), Convert.ToHexStringLower(symmetric));
        Assert.Equal(v.GetProperty("expected_sdk_hmac").GetString(), Convert.ToHexStringLower(hmac));
        Assert.NotEqual(v.GetProperty("hmac_if_key_kept_32_bytes").GetString(), Convert.ToHexStringLower(hmac));
    }
}
