using PeerServ.Auth.Crypto;
using PeerServ.Client.Messages;

namespace PeerServ.Client.Tests;

/// <summary>MessageBoxClient's envelope and JSON text, on their own (the real client's side is in the end-to-end interop tests).</summary>
public sealed class MessageBoxFormatTests
{
    private readonly PrivateKey _alice = PrivateKey.Generate();
    private readonly PrivateKey _bob = PrivateKey.Generate();

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("quote \" backslash \\ slash /", "\"quote \\\" backslash \\\\ slash /\"")]
    [InlineData("\b\f\n\r\t\u0001\u001f\u007f", "\"\\b\\f\\n\\r\\t\\u0001\\u001f\u007f\"")]
    [InlineData("é 😀 \u2028 <tag> & '", "\"é 😀 \u2028 <tag> & '\"")]
    public void Stringify_AsJavaScriptDoes(string text, string expected) => Assert.Equal(expected, JavaScriptJson.Stringify(text));

    [Fact]
    public void Stringify_LoneSurrogates_EscapedInLowercase_PairsKept()
    {
        var text = "lone " + (char)0xD800 + " high, lone " + (char)0xDC00 + " low, pair " + char.ConvertFromUtf32(0x1F600);

        Assert.Equal("\"lone \\ud800 high, lone \\udc00 low, pair " + char.ConvertFromUtf32(0x1F600) + "\"", JavaScriptJson.Stringify(text));
    }

    [Fact]
    public void Envelope_OpensForTheRecipientWithTheSender_PlaintextPassesThrough()
    {
        var fromAlice = new MessageBoxFormat(new KeyDeriver(_alice));
        var atBob = new MessageBoxFormat(new KeyDeriver(_bob));

        var body = fromAlice.Encrypt(_bob.PublicKey, "secret {\"json\": true}");
        var opened = atBob.Open(_alice.PublicKey, body);
        var wrapped = atBob.Open(_alice.PublicKey, "{\"message\":" + body + ",\"payment\":{}}");
        var plain = atBob.Open(_alice.PublicKey, "{\"not\":\"an envelope\"}");

        Assert.StartsWith("{\"encryptedMessage\":\"", body, StringComparison.Ordinal);
        Assert.Equal(new OpenedBody("secret {\"json\": true}", true), opened);
        Assert.Equal(opened, wrapped);
        Assert.Equal(new OpenedBody("{\"not\":\"an envelope\"}", false), plain);
        Assert.Throws<MessageDecryptionException>(() => new MessageBoxFormat(new KeyDeriver(PrivateKey.Generate())).Open(_alice.PublicKey, body));
    }

    [Fact]
    public void MessageId_DependsOnBodyAndRecipient_SameOnEveryCall()
    {
        var format = new MessageBoxFormat(new KeyDeriver(_alice));

        var id = format.MessageId(_bob.PublicKey, "hello");

        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Equal(id, format.MessageId(_bob.PublicKey, "hello"));
        Assert.NotEqual(id, format.MessageId(_bob.PublicKey, "hello!"));
        Assert.NotEqual(id, format.MessageId(PrivateKey.Generate().PublicKey, "hello"));
    }
}
