using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Auth.Server;
using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Tests;

/// <summary>
/// BRC-103 over a socket (authsocket): the deterministic vectors of live-and-permissions.md §1.4 (keys and session nonces
/// of vectors.json brc103_104_deterministic; client message nonce 0x33×32, server message nonce 0x55×32).
/// </summary>
public sealed class Brc103SocketVectorTests
{
    private const string ClientKey = "02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943";
    private const string ServerKey = "02a88444b93706a64dad4d07e28e119677026b7cfbc6c19e10e9e7cfecfea1a127";
    private static readonly JsonElement Inputs = Vectors.Named("brc103_104_deterministic", "inputs");
    private static readonly string ClientNonce = Inputs.Str("clientSessionNonce");
    private static readonly byte[] ServerNonce = Convert.FromBase64String(Inputs.Str("serverSessionNonce"));
    private static readonly string ClientMessageNonce = Convert.ToBase64String(Enumerable.Repeat((byte)0x33, 32).ToArray());
    private static readonly byte[] ServerMessageNonce = Enumerable.Repeat((byte)0x55, 32).ToArray();

    private static readonly string AuthenticatedPayload = $$$"""{"eventName":"authenticated","data":{"identityKey":"{{{ClientKey}}}"}}""";
    private static readonly string JoinRoomPayload = $$"""{"eventName":"joinRoom","data":"{{ClientKey}}-inbox"}""";

    private static ServerIdentity Server() => new(PrivateKey.FromHex(Inputs.Str("serverPriv")));

    private static KeyDeriver Client() => new(PrivateKey.FromHex(Inputs.Str("clientPriv")));

    private static Brc103SocketPeer OpenedPeer(out JsonElement initialResponse)
    {
        var peer = new Brc103SocketPeer(Server());
        using var request = JsonDocument.Parse(Vectors.Named("brc103_104_deterministic", "initialRequest JSON body (POST {origin}/.well-known/auth)").GetProperty("json").GetRawText());
        initialResponse = JsonDocument.Parse(peer.Open(request.RootElement, ServerNonce)).RootElement.Clone();
        return peer;
    }

    [Fact]
    public void InitialResponse_OverTheSocketIsTheVectorsSignedResponse()
    {
        OpenedPeer(out var response);
        var expected = Vectors.Named("brc103_104_deterministic", "initialResponse").GetProperty("json");

        Assert.Equal(Compact(expected), Compact(response));
    }

    [Theory]
    [InlineData("authenticated", "3045022100902aac1a23a56118db23afe67ea5848ec9b508ae4b3b5c9d8cc77146ccbc2e1a022027f04c2fcf00a1f711016cde6ddf96a44874c7c186432a4cb71c8ea0deb2efe7")]
    [InlineData("joinRoom", "304402203f346373e51abd8b6c65526aa50d6c6395ad948f0b2d395e8775fe3f6143595202204b1f37722012c15dcbe65194fbdc373190dee9fe32c2551e8ca1b0f26d8a78e0")]
    public void ClientGeneralMessage_SignsAsTheVectorAndVerifiesOnTheServer(string eventName, string signatureHex)
    {
        var payload = Encoding.UTF8.GetBytes(eventName == "authenticated" ? AuthenticatedPayload : JoinRoomPayload);
        var peer = OpenedPeer(out _);

        var signature = Client().Sign(payload, Brc104Payload.Invoice(ClientMessageNonce, Inputs.Str("serverSessionNonce")), PublicKey.Parse(ServerKey));
        var verified = peer.Verify(General(ClientKey, ClientMessageNonce, Inputs.Str("serverSessionNonce"), payload, signature));

        Assert.Equal(signatureHex, Convert.ToHexStringLower(signature));
        Assert.Equal(payload, verified);
        Assert.True(peer.IsVerified);
        Assert.Equal(ClientKey, peer.Peer!.Hex);
    }

    [Fact]
    public void ServerGeneralMessage_IsTheVectorsAuthenticationSuccessFrame()
    {
        var peer = OpenedPeer(out _);

        var message = Encoding.UTF8.GetString(peer.Sign("""{"eventName":"authenticationSuccess","data":{"status":"success"}}"""u8, ServerMessageNonce));

        Assert.Equal(
            """{"version":"0.1","messageType":"general","identityKey":"02a88444b93706a64dad4d07e28e119677026b7cfbc6c19e10e9e7cfecfea1a127","nonce":"VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVU=","yourNonce":"ERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERER","payload":[123,34,101,118,101,110,116,78,97,109,101,34,58,34,97,117,116,104,101,110,116,105,99,97,116,105,111,110,83,117,99,99,101,115,115,34,44,34,100,97,116,97,34,58,123,34,115,116,97,116,117,115,34,58,34,115,117,99,99,101,115,115,34,125,125],"signature":[48,68,2,32,63,206,243,93,26,128,42,254,84,18,249,161,22,193,228,52,18,255,174,121,62,119,171,151,160,136,53,177,66,151,162,157,2,32,103,9,229,13,223,142,110,180,220,20,180,213,47,27,49,8,187,173,226,69,232,138,57,239,127,155,207,205,206,248,96,172]}""",
            message);
    }

    [Fact]
    public void ServerLiveMessage_SignatureIsTheVectors()
    {
        var peer = OpenedPeer(out _);
        var payload = $$$"""{"eventName":"sendMessage-{{{ClientKey}}}-inbox","data":{"sender":"{{{ServerKey}}}","messageId":"abc123","body":"hello"}}""";

        using var message = JsonDocument.Parse(peer.Sign(Encoding.UTF8.GetBytes(payload), ServerMessageNonce));

        var signature = message.RootElement.GetProperty("signature").EnumerateArray().Select(b => b.GetByte()).ToArray();
        Assert.Equal("3045022100e504ddf1648f1889ccb9fbcaf267573a6f15b2b349a10abcfd3342f51dbb275902200d540f0ce68f99fa56412247fcf665b9c866786dbe1516766a0dd85c082237a3", Convert.ToHexStringLower(signature));
        Assert.True(Client().Verify(Encoding.UTF8.GetBytes(payload), signature, Brc104Payload.Invoice(Convert.ToBase64String(ServerMessageNonce), ClientNonce), PublicKey.Parse(ServerKey)));
    }

    [Fact]
    public void GeneralMessage_ClaimingAnotherIdentityIsRefusedEvenWithAValidSignature()
    {
        var peer = OpenedPeer(out _);
        var payload = Encoding.UTF8.GetBytes(AuthenticatedPayload);
        var signature = Client().Sign(payload, Brc104Payload.Invoice(ClientMessageNonce, Inputs.Str("serverSessionNonce")), PublicKey.Parse(ServerKey));

        var rejection = Assert.Throws<Brc103RejectionException>(() => peer.Verify(General(PrivateKey.Generate().PublicKey.Hex, ClientMessageNonce, Inputs.Str("serverSessionNonce"), payload, signature)));

        Assert.Equal(RelayErrors.InvalidAuthIdentity.Code, rejection.Error.Code);
        Assert.False(peer.IsVerified);
    }

    [Fact]
    public void GeneralMessage_ReplayedNonceTamperedPayloadOrForeignSessionIsRefused()
    {
        var peer = OpenedPeer(out _);
        var payload = Encoding.UTF8.GetBytes(AuthenticatedPayload);
        var serverNonce = Inputs.Str("serverSessionNonce");
        var signature = Client().Sign(payload, Brc104Payload.Invoice(ClientMessageNonce, serverNonce), PublicKey.Parse(ServerKey));
        peer.Verify(General(ClientKey, ClientMessageNonce, serverNonce, payload, signature));

        var replayed = Assert.Throws<Brc103RejectionException>(() => peer.Verify(General(ClientKey, ClientMessageNonce, serverNonce, payload, signature)));
        var tampered = Assert.Throws<Brc103RejectionException>(() => peer.Verify(General(ClientKey, Convert.ToBase64String(new byte[32]), serverNonce, [.. payload, 32], signature)));
        var foreign = Assert.Throws<Brc103RejectionException>(() => peer.Verify(General(ClientKey, ClientMessageNonce, Convert.ToBase64String(new byte[48]), payload, signature)));

        Assert.Equal(
            [RelayErrors.NonceReplayed.Code, RelayErrors.AuthFailed.Code, RelayErrors.SessionNotFound.Code],
            new[] { replayed, tampered, foreign }.Select(r => r.Error.Code));
    }

    [Theory]
    [InlineData("""{"version":"9.9","messageType":"general"}""")]
    [InlineData("""{"version":"0.1","messageType":"general","identityKey":"02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943","yourNonce":"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi","nonce":"MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=","payload":[256],"signature":[1]}""")]
    [InlineData("""{"version":"0.1","messageType":"general","identityKey":"02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943","yourNonce":"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi","nonce":"MzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzMzM=","payload":"abc","signature":[1]}""")]
    [InlineData("""{"version":"0.1","messageType":"general","identityKey":"02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943","yourNonce":"IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi","nonce":"not base64","payload":[1],"signature":[1]}""")]
    public void MalformedGeneralMessage_IsARejectionNotACrash(string json)
    {
        var peer = OpenedPeer(out _);
        using var message = JsonDocument.Parse(json);

        Assert.Throws<Brc103RejectionException>(() => peer.Verify(message.RootElement));
    }

    [Theory]
    [InlineData("""{"version":"0.1","messageType":"initialRequest","identityKey":"02a88444b93706a64dad4d07e28e119677026b7cfbc6c19e10e9e7cfecfea1a127","initialNonce":"ERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERER"}""")]
    [InlineData("""{"version":"0.1","messageType":"initialRequest","identityKey":"0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798","initialNonce":"ERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERER"}""")]
    [InlineData("""{"version":"0.1","messageType":"initialRequest","identityKey":"02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943","initialNonce":"short"}""")]
    [InlineData("""{"version":"0.2","messageType":"initialRequest","identityKey":"02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943","initialNonce":"ERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERERER"}""")]
    public void InitialRequest_WithTheServersKeyTheAnyoneKeyABadNonceOrVersionIsRefused(string json)
    {
        using var message = JsonDocument.Parse(json);

        Assert.Throws<Brc103RejectionException>(() => new Brc103SocketPeer(Server()).Open(message.RootElement));
    }

    private static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static JsonElement General(string identityKey, string nonce, string yourNonce, byte[] payload, byte[] signature) =>
        JsonDocument.Parse(JsonSerializer.Serialize(new
        {
            version = "0.1",
            messageType = "general",
            identityKey,
            nonce,
            yourNonce,
            payload = payload.Select(b => (int)b),
            signature = signature.Select(b => (int)b),
        })).RootElement.Clone();
}
