using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;

namespace PeerServ.Auth.Client;

/// <summary>
/// BRC-103/104 for HttpClient: handshakes at {origin}/.well-known/auth, signs every request, verifies every
/// response (an unsigned or badly signed answer throws <see cref="PeerServAuthException"/>), and on an unsigned
/// 401 — the server forgot the session — handshakes again and retries once.
/// </summary>
public sealed class Brc104ClientHandler : DelegatingHandler
{
    private readonly KeyDeriver _deriver;
    private readonly PublicKey? _expectedServer;
    private readonly OriginSessions<Session> _sessions = new();

    public Brc104ClientHandler(PrivateKey identity, HttpMessageHandler? inner = null, PublicKey? expectedServerKey = null)
        : base(inner ?? new SocketsHttpHandler())
    {
        _deriver = new KeyDeriver(identity);
        _expectedServer = expectedServerKey;
    }

    private Brc104ClientHandler(PrivateKey identity, PublicKey? expectedServerKey)
    {
        _deriver = new KeyDeriver(identity);
        _expectedServer = expectedServerKey;
    }

    public PublicKey IdentityKey => _deriver.IdentityKey;

    /// <summary>A handler without an inner handler, for IHttpClientFactory's pipeline (AddHttpMessageHandler), which sets it.</summary>
    public static Brc104ClientHandler ForHandlerPipeline(PrivateKey identity, PublicKey? expectedServerKey = null) => new(identity, expectedServerKey);

    /// <summary>The server key learned at the last handshake with <paramref name="origin"/>, if any.</summary>
    public async Task<PublicKey> GetServerKeyAsync(Uri origin) => (await _sessions.GetAsync(origin, HandshakeAsync)).ServerKey;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var originalContent = request.Content;
        var body = originalContent is null ? [] : await originalContent.ReadAsByteArrayAsync(cancellationToken);

        for (var attempt = 0; ; attempt++)
        {
            var session = await _sessions.GetAsync(target, HandshakeAsync);
            // Every attempt sends exactly what the caller gave, whatever an inner handler did to the last one.
            request.RequestUri = target;
            if (originalContent is not null)
            {
                request.Content = BufferedContent.From(body, originalContent);
            }

            Sign(request, body, session, out var requestId);
            var response = await base.SendAsync(request, cancellationToken);
            var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.Headers.Contains(AuthHeaders.Signature))
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                {
                    _sessions.Drop(target, session);
                    response.Dispose();
                    continue;
                }

                response.Dispose();
                throw PeerServAuthException.FromUnsigned(response.StatusCode, responseBody);
            }

            Verify(response, responseBody, session, requestId);
            response.Content = BufferedContent.From(responseBody, response.Content);
            return response;
        }
    }

    private void Sign(HttpRequestMessage request, byte[] body, Session session, out string requestId)
    {
        var requestIdBytes = RandomNumberGenerator.GetBytes(32);
        requestId = Convert.ToBase64String(requestIdBytes);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var uri = request.RequestUri!;
        var signedHeaders = Brc104Payload.SelectRequestHeaders(Headers(request.Headers, request.Content?.Headers));
        var payload = new BufferPayloadSink();
        Brc104Payload.WriteRequest(payload, requestIdBytes, request.Method.Method, uri.AbsolutePath, uri.Query, signedHeaders, body);
        var signature = _deriver.Sign(payload.WrittenSpan, Brc104Payload.Invoice(nonce, session.ServerNonce), session.ServerKey);

        foreach (var name in AuthHeaders.All)
        {
            request.Headers.Remove(name);
        }

        request.Headers.TryAddWithoutValidation(AuthHeaders.Version, AuthHeaders.Brc104Version);
        request.Headers.TryAddWithoutValidation(AuthHeaders.IdentityKey, _deriver.IdentityKey.Hex);
        request.Headers.TryAddWithoutValidation(AuthHeaders.Nonce, nonce);
        request.Headers.TryAddWithoutValidation(AuthHeaders.YourNonce, session.ServerNonce);
        request.Headers.TryAddWithoutValidation(AuthHeaders.Signature, Convert.ToHexStringLower(signature));
        request.Headers.TryAddWithoutValidation(AuthHeaders.RequestId, requestId);
    }

    private void Verify(HttpResponseMessage response, byte[] body, Session session, string requestId)
    {
        string One(string name) => response.Headers.TryGetValues(name, out var values) ? values.First()
            : throw new PeerServAuthException($"The response lacks the {name} header.", response.StatusCode);

        if (One(AuthHeaders.RequestId) != requestId)
        {
            throw new PeerServAuthException("The response answers a different request id.", response.StatusCode);
        }

        if (One(AuthHeaders.YourNonce) != session.ClientNonce || One(AuthHeaders.IdentityKey) != session.ServerKey.Hex)
        {
            throw new PeerServAuthException("The response is signed for another session or by another server.", response.StatusCode);
        }

        var signed = Brc104Payload.SelectResponseHeaders(Headers(response.Headers, null));
        var payload = new BufferPayloadSink();
        Brc104Payload.WriteResponse(payload, Convert.FromBase64String(requestId), (int)response.StatusCode, signed, body);
        var signature = Convert.FromHexString(One(AuthHeaders.Signature));
        if (!_deriver.Verify(payload.WrittenSpan, signature, Brc104Payload.Invoice(One(AuthHeaders.Nonce), session.ClientNonce), session.ServerKey))
        {
            throw new PeerServAuthException("The response signature is not valid.", response.StatusCode);
        }
    }

    private async Task<Session> HandshakeAsync(Uri origin)
    {
        var clientNonceBytes = RandomNumberGenerator.GetBytes(48);
        var clientNonce = Convert.ToBase64String(clientNonceBytes);
        var json = JsonSerializer.Serialize(new
        {
            version = AuthHeaders.Brc104Version,
            messageType = "initialRequest",
            identityKey = _deriver.IdentityKey.Hex,
            initialNonce = clientNonce,
            requestedCertificates = new { certifiers = Array.Empty<string>(), types = new { } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(origin, Brc104Payload.HandshakePath))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        using var response = await base.SendAsync(request, CancellationToken.None);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw PeerServAuthException.FromUnsigned(response.StatusCode, bytes);
        }

        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        if (root.GetProperty("messageType").GetString() != "initialResponse" || root.GetProperty("yourNonce").GetString() != clientNonce)
        {
            throw new PeerServAuthException("The handshake response does not answer our initial request.");
        }

        var serverKey = PublicKey.Parse(root.GetProperty("identityKey").GetString()!);
        if (_expectedServer is not null && !serverKey.Equals(_expectedServer))
        {
            throw new PeerServAuthException($"The server identified as {serverKey.Hex}, not the expected {_expectedServer.Hex}.");
        }

        var serverNonce = root.GetProperty("initialNonce").GetString()!;
        var signature = root.GetProperty("signature").EnumerateArray().Select(e => e.GetByte()).ToArray();
        byte[] signed = [.. clientNonceBytes, .. Convert.FromBase64String(serverNonce)];
        if (!_deriver.Verify(signed, signature, Brc104Payload.Invoice(clientNonce, serverNonce), serverKey))
        {
            throw new PeerServAuthException("The handshake response signature is not valid.");
        }

        return new Session(serverKey, serverNonce, clientNonce);
    }

    private static IEnumerable<KeyValuePair<string, string>> Headers(HttpHeaders headers, HttpHeaders? content)
    {
        foreach (var (name, values) in headers)
        {
            yield return new(name, string.Join(", ", values));
        }

        if (content is not null)
        {
            foreach (var (name, values) in content)
            {
                yield return new(name, string.Join(", ", values));
            }
        }
    }

    private sealed record Session(PublicKey ServerKey, string ServerNonce, string ClientNonce);
}
