using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Auth.Server;

namespace PeerServ.Benchmarks;

/// <summary>
/// Server-side cost of BRC-104 per request: parse the auth headers, find the session, verify the signature over
/// the raw request, and sign the response — with the per-peer ECDH cache warm (the steady state) and cold.
/// </summary>
[MemoryDiagnoser]
public class AuthBenchmarks
{
    private ServerIdentity _server = null!;
    private Brc104SessionTable _sessions = null!;
    private DefaultHttpContext _request = null!;
    private byte[] _requestBody = null!;
    private byte[] _responseBody = null!;
    private PeerServAuthOptions _options = null!;
    private Brc104Exchange _verified = null!;
    private PublicKey _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        var serverKey = PrivateKey.Generate();
        var clientKey = PrivateKey.Generate();
        _client = clientKey.PublicKey;
        _options = new PeerServAuthOptions { ServerPrivateKey = serverKey.ToHex(), MaxReplayEntries = 100_000_000 };
        var options = Options.Create(_options);
        _server = new ServerIdentity(serverKey);
        _sessions = new Brc104SessionTable(_server, options, TimeProvider.System);
        var clientNonce = RandomNumberGenerator.GetBytes(48);
        var serverNonce = _sessions.Open(clientKey.PublicKey, clientNonce);

        var message = new string('m', 256);
        _requestBody = Encoding.UTF8.GetBytes($"{{\"message\":{{\"recipient\":\"{serverKey.PublicKey.Hex}\",\"messageBox\":\"inbox\",\"messageId\":\"{Guid.NewGuid()}\",\"body\":\"{message}\"}}}}");
        _responseBody = Encoding.UTF8.GetBytes("{\"status\":\"success\",\"message\":\"Your message has been sent to 1 recipient(s).\",\"messageId\":\"x\",\"results\":[]}");
        var requestId = RandomNumberGenerator.GetBytes(32);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var payload = new BufferPayloadSink();
        Brc104Payload.WriteRequest(payload, requestId, "POST", "/sendMessage", null, [new("content-type", "application/json")], _requestBody);
        var signature = new KeyDeriver(clientKey).Sign(payload.WrittenSpan, Brc104Payload.Invoice(nonce, serverNonce), serverKey.PublicKey);

        _request = new DefaultHttpContext();
        _request.Request.Method = "POST";
        _request.Request.Path = "/sendMessage";
        _request.Features.Get<IHttpRequestFeature>()!.RawTarget = "/sendMessage";
        var headers = _request.Request.Headers;
        headers.ContentType = "application/json";
        headers[AuthHeaders.Version] = "0.1";
        headers[AuthHeaders.IdentityKey] = clientKey.PublicKey.Hex;
        headers[AuthHeaders.Nonce] = nonce;
        headers[AuthHeaders.YourNonce] = serverNonce;
        headers[AuthHeaders.Signature] = Convert.ToHexStringLower(signature);
        headers[AuthHeaders.RequestId] = Convert.ToBase64String(requestId);
        _verified = Verify();
    }

    [Benchmark]
    public void VerifyRequest_Warm() => Verify();

    [Benchmark]
    public void SignResponse_Warm() => _verified.Sign(new DefaultHttpContext().Response, _responseBody);

    [Benchmark(Baseline = true)]
    public void VerifyAndSign_Warm()
    {
        var exchange = Verify();
        exchange.Sign(new DefaultHttpContext().Response, _responseBody);
    }

    [Benchmark]
    public PublicKey DeriveChildPublicKey_Warm() => _server.Deriver.DerivePublicKey("2-auth message signature-a b", _client);

    [Benchmark]
    public PrivateKey DeriveChildPrivateKey_Warm() => _server.Deriver.DerivePrivateKey("2-auth message signature-a b", _client);

    [Benchmark]
    public byte[] EcdhSharedPoint_Uncached()
    {
        _server.Deriver.ClearCache();
        return _server.Deriver.SharedSecret(_client);
    }

    [Benchmark]
    public void VerifyAndSign_Cold()
    {
        _server.Deriver.ClearCache();
        var exchange = Verify();
        exchange.Sign(new DefaultHttpContext().Response, _responseBody);
    }

    private Brc104Exchange Verify()
    {
        var exchange = Brc104Exchange.Prepare(_request, _server, _sessions, _options.MaxAuthHeaderLength);
        exchange.VerifySignature(_request, _requestBody);
        return exchange;
    }
}
