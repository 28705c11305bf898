using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Client;

/// <summary>
/// BRC-31 Authrite (0.2 by default, or 0.1) for HttpClient, as authrite-js does it: handshake at
/// {origin}/authrite/initialRequest, sign the body (or the URL for GET/HEAD), verify every response body.
/// </summary>
public sealed class AuthriteClientHandler : DelegatingHandler
{
    private readonly KeyDeriver _deriver;
    private readonly string _version;
    private readonly OriginSessions<Session> _sessions = new();

    public AuthriteClientHandler(PrivateKey identity, HttpMessageHandler? inner = null, string version = "0.2")
        : base(inner ?? new SocketsHttpHandler())
    {
        if (version is not ("0.1" or "0.2"))
        {
            throw new ArgumentException("Authrite version must be 0.1 or 0.2.", nameof(version));
        }

        _deriver = new KeyDeriver(identity);
        _version = version;
    }

    private AuthriteClientHandler(PrivateKey identity)
    {
        _deriver = new KeyDeriver(identity);
        _version = "0.2";
    }

    public PublicKey IdentityKey => _deriver.IdentityKey;

    /// <summary>A handler (Authrite 0.2) without an inner handler, for IHttpClientFactory's pipeline (AddHttpMessageHandler), which sets it.</summary>
    public static AuthriteClientHandler ForHandlerPipeline(PrivateKey identity) => new(identity);

    /// <summary>Handshakes with <paramref name="origin"/> if not done yet; returns the server key it presented.</summary>
    public async Task<PublicKey> GetServerKeyAsync(Uri origin) => (await _sessions.GetAsync(origin, HandshakeAsync)).ServerKey;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        var originalContent = request.Content;
        var body = originalContent is null ? [] : await originalContent.ReadAsByteArrayAsync(cancellationToken);
        var signsUrl = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
        if (!signsUrl && body.Length == 0)
        {
            // authrite-js sends and signs "{}" when a non-GET request has no body.
            body = "{}"u8.ToArray();
            originalContent = new ByteArrayContent(body);
            originalContent.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        for (var attempt = 0; ; attempt++)
        {
            var session = await _sessions.GetAsync(target, HandshakeAsync);
            // Every attempt sends exactly what the caller gave, under fresh auth headers.
            request.RequestUri = target;
            if (originalContent is not null)
            {
                request.Content = BufferedContent.From(body, originalContent);
            }

            foreach (var header in AuthHeaders.All)
            {
                request.Headers.Remove(header);
            }

            var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var data = signsUrl ? Encoding.UTF8.GetBytes(target.AbsoluteUri) : body;
            var signature = _deriver.Sign(data, AuthriteProtocol.Invoice(nonce, session.ServerNonce), session.ServerKey);
            request.Headers.TryAddWithoutValidation(AuthHeaders.Authrite, _version);
            request.Headers.TryAddWithoutValidation(AuthHeaders.AuthriteIdentityKey, _deriver.IdentityKey.Hex);
            request.Headers.TryAddWithoutValidation(AuthHeaders.AuthriteNonce, nonce);
            if (_version == "0.2")
            {
                request.Headers.TryAddWithoutValidation(AuthHeaders.AuthriteInitialNonce, session.ClientNonce);
            }

            request.Headers.TryAddWithoutValidation(AuthHeaders.AuthriteYourNonce, session.ServerNonce);
            request.Headers.TryAddWithoutValidation(AuthHeaders.AuthriteCertificates, "[]");
            request.Headers.TryAddWithoutValidation(AuthHeaders.AuthriteSignature, Convert.ToHexStringLower(signature));

            var response = await base.SendAsync(request, cancellationToken);
            var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.Headers.TryGetValues(AuthHeaders.AuthriteSignature, out var signatures))
            {
                var refused = PeerServAuthException.FromUnsigned(response.StatusCode, responseBody);
                response.Dispose();
                if (attempt == 0 && (refused.Code == RelayErrors.AuthriteExpiredServerNonce.Code || refused.Code == RelayErrors.AuthriteBadServerNonce.Code))
                {
                    // The server nonce expired (or the server's key changed): one new initial request, then the same request again.
                    _sessions.Drop(target, session);
                    continue;
                }

                throw refused;
            }

            return VerifyResponse(response, responseBody, signatures.First(), session, nonce);
        }
    }

    private HttpResponseMessage VerifyResponse(HttpResponseMessage response, byte[] responseBody, string signature, Session session, string nonce)
    {
        var yourNonce = _version == "0.2" ? session.ClientNonce : nonce;
        var responseNonce = response.Headers.GetValues(AuthHeaders.AuthriteNonce).First();
        if (response.Headers.GetValues(AuthHeaders.AuthriteIdentityKey).First() != session.ServerKey.Hex
            || response.Headers.GetValues(AuthHeaders.AuthriteYourNonce).First() != yourNonce
            || !_deriver.Verify(responseBody, Convert.FromHexString(signature), AuthriteProtocol.Invoice(yourNonce, responseNonce), session.ServerKey))
        {
            response.Dispose();
            throw new PeerServAuthException("The response signature is not valid.", response.StatusCode);
        }

        response.Content = BufferedContent.From(responseBody, response.Content);
        return response;
    }

    private async Task<Session> HandshakeAsync(Uri origin)
    {
        var clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var json = JsonSerializer.Serialize(new
        {
            authrite = _version,
            messageType = "initialRequest",
            identityKey = _deriver.IdentityKey.Hex,
            nonce = clientNonce,
            requestedCertificates = Array.Empty<object>(),
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(origin, AuthriteProtocol.HandshakePath))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        using var response = await base.SendAsync(request, CancellationToken.None);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw PeerServAuthException.FromUnsigned(response.StatusCode, bytes);
        }

        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        if (root.GetProperty("messageType").GetString() != "initialResponse" || root.GetProperty("authrite").GetString() != _version)
        {
            throw new PeerServAuthException("The handshake response is not an Authrite initialResponse of our version.");
        }

        var serverKey = PublicKey.Parse(root.GetProperty("identityKey").GetString()!);
        var serverNonce = root.GetProperty("nonce").GetString()!;
        var signature = Convert.FromHexString(root.GetProperty("signature").GetString()!);
        if (!_deriver.Verify(Encoding.UTF8.GetBytes(clientNonce + serverNonce), signature, AuthriteProtocol.Invoice(clientNonce, serverNonce), serverKey))
        {
            throw new PeerServAuthException("The handshake response signature is not valid.");
        }

        return new Session(serverKey, serverNonce, clientNonce);
    }

    private sealed record Session(PublicKey ServerKey, string ServerNonce, string ClientNonce);
}
