using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;

using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>BRC-31 Authrite 0.1/0.2 request: stateless, the identity proven by a signature derived from it.</summary>
internal sealed class AuthriteExchange : AuthExchange
{

    private readonly ServerIdentity _server;
    private readonly AuthriteNonces _nonces;
    private readonly NonceReplayCache _replay;
    private readonly PeerServAuthOptions _options;
    private readonly string _version;
    private readonly PublicKey _client;
    private readonly string _nonce;
    private readonly string _yourNonce;
    private readonly string _initialNonce;
    private readonly byte[] _signature;

    private AuthriteExchange(ServerIdentity server, AuthriteNonces nonces, NonceReplayCache replay, PeerServAuthOptions options,
        string version, PublicKey client, string nonce, string yourNonce, string initialNonce, byte[] signature)
    {
        _server = server;
        _nonces = nonces;
        _replay = replay;
        _options = options;
        _version = version;
        _client = client;
        _nonce = nonce;
        _yourNonce = yourNonce;
        _initialNonce = initialNonce;
        _signature = signature;
    }

    public static bool IsSupportedVersion(string? version) => version is "0.1" or "0.2";


    public static AuthriteExchange Prepare(HttpContext context, ServerIdentity server, AuthriteNonces nonces, NonceReplayCache replay, PeerServAuthOptions options)
    {
        var headers = context.Request.Headers;
        var max = options.MaxAuthHeaderLength;
        var version = Header(headers, AuthHeaders.Authrite, max);
        if (!IsSupportedVersion(version))
        {
            throw new AuthRejection(RelayErrors.AuthriteVersionMismatch, $"Authrite version {AuthRejection.Echo(version)} is not supported; this server speaks 0.1 and 0.2.");
        }

        var identity = Header(headers, AuthHeaders.AuthriteIdentityKey, max);
        var nonce = Header(headers, AuthHeaders.AuthriteNonce, max);
        var initialNonce = Header(headers, AuthHeaders.AuthriteInitialNonce, max, required: version == "0.2");
        var yourNonce = Header(headers, AuthHeaders.AuthriteYourNonce, max);
        var signature = HexSignature(AuthHeaders.AuthriteSignature, Header(headers, AuthHeaders.AuthriteSignature, max));
        var certificates = Header(headers, AuthHeaders.AuthriteCertificates, max);
        if (!PublicKey.TryParse(identity, out var client))
        {
            throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {AuthHeaders.AuthriteIdentityKey} header must be a secp256k1 public key in hex.");
        }

        if (server.IsForbiddenPeer(client))
        {
            throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {AuthHeaders.AuthriteIdentityKey} header may be neither the server's own key nor the 'anyone' key.");
        }

        _ = Base64Header(AuthHeaders.AuthriteNonce, nonce, 16, 64);
        if (initialNonce.Length > 0)
        {
            _ = Base64Header(AuthHeaders.AuthriteInitialNonce, initialNonce, 16, 64);
        }
        if (!nonces.IsOurs(yourNonce))
        {
            throw new AuthRejection(RelayErrors.AuthriteBadServerNonce, "The x-authrite-yournonce header is not a nonce this server issued.");
        }

        if (!nonces.IsFresh(yourNonce))
        {
            throw new AuthRejection(RelayErrors.AuthriteExpiredServerNonce,
                $"The server nonce in x-authrite-yournonce is older than {options.AuthriteServerNonceLifetime}; request a new one at {AuthriteProtocol.HandshakePath}.");
        }

        EnsureCertificateArray(certificates);
        return new AuthriteExchange(server, nonces, replay, options, version, client, nonce, yourNonce, initialNonce, signature);
    }

    public override PublicKey Signer => _client;

    public override void VerifySignature(HttpContext context, ReadOnlySpan<byte> body)
    {
        var invoice = AuthriteProtocol.Invoice(_nonce, _yourNonce);
        var request = context.Request;
        var signsUrl = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || body.IsEmpty;
        var valid = false;
        if (signsUrl)
        {
            foreach (var url in CandidateUrls(context))
            {
                if (_server.Deriver.Verify(Encoding.UTF8.GetBytes(url), _signature, invoice, _client))
                {
                    valid = true;
                    break;
                }
            }
        }
        else
        {
            valid = _server.Deriver.Verify(body, _signature, invoice, _client);
        }

        if (!valid)
        {
            throw new AuthRejection(RelayErrors.AuthriteInvalidSignature, "The request signature is not valid.");
        }
    }

    public override void RecordNonce()
    {
        if (!_replay.TryUse(_client.Bytes, _nonce))
        {
            throw new AuthRejection(RelayErrors.NonceReplayed, "This request nonce was already used.");
        }

        Identity = new PeerIdentity(_client, AuthProtocol.Authrite) { RequestNonce = _nonce };
    }

    public override void Sign(HttpResponse response, ReadOnlySpan<byte> body)
    {
        var responseNonce = _nonces.Create();
        // 0.2 keys responses to the client's initial nonce, 0.1 to its request nonce.
        var yourNonce = _version == "0.2" ? _initialNonce : _nonce;
        var signature = _server.Deriver.Sign(body, AuthriteProtocol.Invoice(yourNonce, responseNonce), _client);
        var headers = response.Headers;
        headers[AuthHeaders.Authrite] = _version;
        headers[AuthHeaders.AuthriteIdentityKey] = _server.IdentityKey.Hex;
        headers[AuthHeaders.AuthriteNonce] = responseNonce;
        headers[AuthHeaders.AuthriteYourNonce] = yourNonce;
        headers[AuthHeaders.AuthriteCertificates] = "[]";
        headers[AuthHeaders.AuthriteSignature] = Convert.ToHexStringLower(signature);
    }

    private IEnumerable<string> CandidateUrls(HttpContext context)
    {
        var (path, query) = RawTarget(context);
        var target = path + query;
        if (!string.IsNullOrEmpty(_options.PublicBaseUrl))
        {
            yield return _options.PublicBaseUrl.TrimEnd('/') + target;
        }

        yield return $"{context.Request.Scheme}://{context.Request.Host}{target}";
    }

    private static void EnsureCertificateArray(string certificates)
    {
        try
        {
            using var doc = JsonDocument.Parse(certificates);
            if (doc.RootElement.ValueKind == JsonValueKind.Array)
            {
                return;
            }
        }
        catch (JsonException)
        {
        }

        throw new AuthRejection(RelayErrors.AuthriteBadCertificates, "The x-authrite-certificates header must be a JSON array.");
    }
}
