using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Auth.Server;

namespace PeerServ.Auth.Tests;

/// <summary>brc103_104_deterministic, brc104_wire_capture and brc31_authrite_v02, byte for byte.</summary>
public sealed class ProtocolVectorTests
{
    private static readonly JsonElement Keys = Vectors.Section("brc31_authrite_keys").Single();
    private static readonly KeyDeriver Server = new(PrivateKey.FromHex(Keys.Str("serverPriv")));
    private static readonly KeyDeriver Client = new(PrivateKey.FromHex(Keys.Str("clientPriv")));
    private static readonly PublicKey ServerPub = PublicKey.Parse(Keys.Str("serverPub"));
    private static readonly PublicKey ClientPub = PublicKey.Parse(Keys.Str("clientPub"));

    public static TheoryData<int> CapturedGeneralExchanges =>
        new(Enumerable.Range(0, CaptureExchanges().Count).Where(i => CaptureExchanges()[i].TryGetProperty("reconstructed_request_payload_hex", out _)));

    [Fact]
    public void TestKeys_PublicKeysMatchPrivateKeys()
    {
        Assert.Equal(ServerPub, Server.IdentityKey);
        Assert.Equal(ClientPub, Client.IdentityKey);
    }

    [Fact]
    public void Brc104InitialResponse_DeterministicVector_SignatureReproduced()
    {
        var inputs = Vectors.Named("brc103_104_deterministic", "inputs");
        var v = Vectors.Named("brc103_104_deterministic", "initialResponse");
        var clientNonce = inputs.Str("clientSessionNonce");
        var serverNonce = inputs.Str("serverSessionNonce");
        byte[] data = [.. Convert.FromBase64String(clientNonce), .. Convert.FromBase64String(serverNonce)];
        var invoice = Brc104Payload.Invoice(clientNonce, serverNonce);

        var signature = Server.Sign(data, invoice, ClientPub);

        Assert.Equal(v.Str("signedData_hex"), Convert.ToHexStringLower(data));
        Assert.Equal(v.Str("invoiceNumber"), invoice);
        Assert.Equal(v.Str("invoiceNumber"), InvoiceNumber.Compute(2, Brc104Payload.SignatureProtocol, v.Str("keyID")));
        Assert.Equal(v.Str("signerChildPublicKey"), Client.DerivePublicKey(invoice, ServerPub).Hex);
        Assert.Equal(v.Str("signature_hex"), Convert.ToHexStringLower(signature));
        Assert.Equal(v.GetProperty("json").GetProperty("signature").EnumerateArray().Select(e => e.GetByte()), signature);
        Assert.True(Client.Verify(data, signature, invoice, ServerPub));
    }

    [Theory]
    [InlineData("general request POST with JSON body")]
    [InlineData("general request GET with query, x-bsv-* and authorization headers, no body")]
    [InlineData("general request POST, content-type application/json, body omitted by caller (client substitutes \"{}\")")]
    public void Brc104Request_DeterministicVector_PayloadAndSignatureReproduced(string name)
    {
        var inputs = Vectors.Named("brc103_104_deterministic", "inputs");
        var v = Vectors.Named("brc103_104_deterministic", name);
        var url = new Uri(v.Str("url"));
        var callerHeaders = v.GetProperty("callerHeaders").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!));
        var body = v.TryGetProperty("body", out var b) ? Encoding.UTF8.GetBytes(b.GetString()!)
            : v.Str("method") == "POST" ? "{}"u8.ToArray() : [];
        var payload = new BufferPayloadSink();

        Brc104Payload.WriteRequest(payload, Convert.FromBase64String(inputs.Str("requestId")), v.Str("method"), url.AbsolutePath, url.Query,
            Brc104Payload.SelectRequestHeaders(callerHeaders), body);

        Assert.Equal(v.Str("payload_hex"), Convert.ToHexStringLower(payload.WrittenSpan));
        if (v.TryGetProperty("signature_hex", out var expected))
        {
            var invoice = Brc104Payload.Invoice(inputs.Str("requestNonce"), inputs.Str("serverSessionNonce"));
            var signature = Client.Sign(payload.WrittenSpan, invoice, ServerPub);
            Assert.Equal(expected.GetString(), Convert.ToHexStringLower(signature));
            Assert.True(Server.Verify(payload.WrittenSpan, signature, invoice, ClientPub));
        }
    }

    [Fact]
    public void Brc104Response_DeterministicVector_PayloadAndSignatureReproduced()
    {
        var inputs = Vectors.Named("brc103_104_deterministic", "inputs");
        var v = Vectors.Named("brc103_104_deterministic", "general response 200 with one signed x-bsv-* header");
        var headers = v.GetProperty("wireHeaders").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!));
        var payload = new BufferPayloadSink();

        Brc104Payload.WriteResponse(payload, Convert.FromBase64String(inputs.Str("requestId")), v.GetProperty("status").GetInt32(),
            Brc104Payload.SelectResponseHeaders(headers), Encoding.UTF8.GetBytes(v.Str("body")));
        var invoice = Brc104Payload.Invoice(inputs.Str("serverResponseNonce"), inputs.Str("clientSessionNonce"));
        var signature = Server.Sign(payload.WrittenSpan, invoice, ClientPub);

        Assert.Equal(v.Str("payload_hex"), Convert.ToHexStringLower(payload.WrittenSpan));
        Assert.Equal(v.Str("signerChildPublicKey"), Client.DerivePublicKey(invoice, ServerPub).Hex);
        Assert.Equal(v.Str("signature_hex"), Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void Brc104EmptyBodyResponse_Vector_ServerWritesMinusOne()
    {
        var inputs = Vectors.Named("brc103_104_deterministic", "inputs");
        var v = Vectors.Section("brc103_104_deterministic").Last();
        var payload = new BufferPayloadSink();

        Brc104Payload.WriteResponse(payload, Convert.FromBase64String(inputs.Str("requestId")), 204, [], []);

        Assert.Equal(v.Str("payload_hex"), Convert.ToHexStringLower(payload.WrittenSpan));
        Assert.NotEqual(v.Str("clientRebuiltPayload_hex"), Convert.ToHexStringLower(payload.WrittenSpan));
    }

    [Fact]
    public void Brc104CapturedHandshake_ResponseSignatureVerifies()
    {
        var exchange = CaptureExchanges()[0];
        using var request = JsonDocument.Parse(exchange.Str("requestBody"));
        using var response = JsonDocument.Parse(exchange.Str("responseBody"));
        var clientNonce = request.RootElement.Str("initialNonce");
        var serverNonce = response.RootElement.Str("initialNonce");
        byte[] data = [.. Convert.FromBase64String(clientNonce), .. Convert.FromBase64String(serverNonce)];
        var signature = response.RootElement.GetProperty("signature").EnumerateArray().Select(e => e.GetByte()).ToArray();

        Assert.Equal(exchange.GetProperty("responseHeaders").Str("x-bsv-auth-signature"), Convert.ToHexStringLower(signature));
        Assert.True(Client.Verify(data, signature, Brc104Payload.Invoice(clientNonce, serverNonce), ServerPub));
        Assert.Equal(Convert.ToHexStringLower(signature), Convert.ToHexStringLower(Server.Sign(data, Brc104Payload.Invoice(clientNonce, serverNonce), ClientPub)));
    }

    [Theory]
    [MemberData(nameof(CapturedGeneralExchanges))]
    public void Brc104CapturedExchange_RequestVerifiesAndResponseRecreates(int index)
    {
        var exchange = CaptureExchanges()[index];
        var requestHeaders = exchange.GetProperty("requestHeaders");
        var responseHeaders = exchange.GetProperty("responseHeaders");
        var url = new Uri(new Uri("http://127.0.0.1"), exchange.Str("url"));
        var requestId = Convert.FromBase64String(requestHeaders.Str("x-bsv-auth-request-id"));
        var requestPayload = new BufferPayloadSink();
        Brc104Payload.WriteRequest(requestPayload, requestId, exchange.Str("method"), url.AbsolutePath, url.Query,
            Brc104Payload.SelectRequestHeaders(Pairs(requestHeaders)), Encoding.UTF8.GetBytes(exchange.Str("requestBody")));
        var responsePayload = new BufferPayloadSink();
        Brc104Payload.WriteResponse(responsePayload, requestId, exchange.GetProperty("status").GetInt32(),
            Brc104Payload.SelectResponseHeaders(Pairs(responseHeaders)), Encoding.UTF8.GetBytes(exchange.Str("responseBody")));

        Assert.Equal(exchange.Str("reconstructed_request_payload_hex"), Convert.ToHexStringLower(requestPayload.WrittenSpan));
        Assert.Equal(exchange.Str("reconstructed_response_payload_hex"), Convert.ToHexStringLower(responsePayload.WrittenSpan));
        var requestInvoice = Brc104Payload.Invoice(requestHeaders.Str("x-bsv-auth-nonce"), requestHeaders.Str("x-bsv-auth-your-nonce"));
        Assert.Equal(exchange.Str("request_keyID"), requestInvoice["2-auth message signature-".Length..]);
        Assert.True(Server.Verify(requestPayload.WrittenSpan, Convert.FromHexString(requestHeaders.Str("x-bsv-auth-signature")), requestInvoice, ClientPub));
        var responseInvoice = Brc104Payload.Invoice(responseHeaders.Str("x-bsv-auth-nonce"), responseHeaders.Str("x-bsv-auth-your-nonce"));
        Assert.Equal(exchange.Str("response_keyID"), responseInvoice["2-auth message signature-".Length..]);
        Assert.True(Client.Verify(responsePayload.WrittenSpan, Convert.FromHexString(responseHeaders.Str("x-bsv-auth-signature")), responseInvoice, ServerPub));
    }

    [Fact]
    public void AuthriteInitialResponse_Vector_SignatureReproduced()
    {
        var v = Vectors.Named("brc31_authrite_v02", "initialResponse");
        var json = v.GetProperty("json");
        var request = Vectors.Section("brc31_authrite_v02").First().GetProperty("json");
        var invoice = $"2-authrite message signature-{request.Str("nonce")} {json.Str("nonce")}";

        var signature = Server.Sign(Encoding.UTF8.GetBytes(v.Str("signedData_utf8")), invoice, ClientPub);

        Assert.Equal(request.Str("nonce") + json.Str("nonce"), v.Str("signedData_utf8"));
        Assert.Equal(v.Str("invoiceNumber"), invoice);
        Assert.Equal(v.Str("signerChildPublicKey"), Client.DerivePublicKey(invoice, ServerPub).Hex);
        Assert.Equal(json.Str("signature"), Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void AuthritePostRequest_Vector_SignatureOverBodyReproduced()
    {
        var v = Vectors.Named("brc31_authrite_v02", "POST request");
        var headers = v.GetProperty("headers");
        var invoice = $"2-authrite message signature-{headers.Str("x-authrite-nonce")} {headers.Str("x-authrite-yournonce")}";

        var signature = Client.Sign(Encoding.UTF8.GetBytes(v.Str("body")), invoice, ServerPub);

        Assert.Equal(v.Str("invoiceNumber"), invoice);
        Assert.Equal(v.Str("signerChildPublicKey"), Server.DerivePublicKey(invoice, ClientPub).Hex);
        Assert.Equal(headers.Str("x-authrite-signature"), Convert.ToHexStringLower(signature));
        Assert.True(Server.Verify(Encoding.UTF8.GetBytes(v.Str("body")), signature, invoice, ClientPub));
    }

    [Fact]
    public void AuthriteGetRequest_Vector_SignatureOverUrlReproduced()
    {
        var v = Vectors.Named("brc31_authrite_v02", "GET request (URL is signed)");

        var signature = Client.Sign(Encoding.UTF8.GetBytes(v.Str("signedData_utf8")), v.Str("invoiceNumber"), ServerPub);

        Assert.Equal(v.Str("url"), v.Str("signedData_utf8"));
        Assert.Equal(v.Str("signature"), Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void AuthriteResponse_Vectors_V02AndV01RulesReproduced()
    {
        var v02 = Vectors.Named("brc31_authrite_v02", "response to a request (v0.2 rule)");
        var v01 = Vectors.Section("brc31_authrite_v02").Last();
        var headers = v02.GetProperty("headers");
        var body = Encoding.UTF8.GetBytes(v02.Str("body"));

        var signature02 = Server.Sign(body, $"2-authrite message signature-{headers.Str("x-authrite-yournonce")} {headers.Str("x-authrite-nonce")}", ClientPub);
        var signature01 = Server.Sign(body, v01.Str("invoiceNumber"), ClientPub);

        Assert.Equal(v02.Str("invoiceNumber"), $"2-authrite message signature-{headers.Str("x-authrite-yournonce")} {headers.Str("x-authrite-nonce")}");
        Assert.Equal(v02.Str("signerChildPublicKey"), Client.DerivePublicKey(v02.Str("invoiceNumber"), ServerPub).Hex);
        Assert.Equal(headers.Str("x-authrite-signature"), Convert.ToHexStringLower(signature02));
        Assert.Equal(v01.Str("signature"), Convert.ToHexStringLower(signature01));
    }

    [Fact]
    public void AuthriteServerNonce_CryptononceVector_Reproduced()
    {
        var v = Vectors.Section("authrite_server_nonce_cryptononce").Single();
        var identity = new ServerIdentity(PrivateKey.FromHex(v.Str("serverPrivateKeyHex")));
        var nonces = new AuthriteNonces(identity);

        var nonce = nonces.Create(Convert.FromHexString(v.Str("R16_hex")));

        Assert.Equal(v.Str("nonce"), nonce);
        Assert.True(nonces.IsOurs(nonce));
        Assert.False(nonces.IsOurs(new AuthriteNonces(new ServerIdentity(PrivateKey.Generate())).Create()));
    }

    private static List<JsonElement> CaptureExchanges() =>
        [.. Vectors.Section("brc104_wire_capture").Single().GetProperty("exchanges").EnumerateArray()];

    private static IEnumerable<KeyValuePair<string, string>> Pairs(JsonElement obj) =>
        obj.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!));
}
