using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;

using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>BRC-104 general message over HTTP: verify with the session's key; sign responses to the session.</summary>
internal sealed class Brc104Exchange : AuthExchange
{
    private readonly ServerIdentity _server;
    private readonly Brc104SessionTable _sessions;
    private readonly Brc104Session _session;
    private readonly string _requestIdHeader;
    private readonly byte[] _requestId;
    private readonly string _nonce;
    private readonly byte[] _nonceBytes;
    private readonly byte[] _signature;
    private readonly PublicKey _claimedIdentity;

    private Brc104Exchange(ServerIdentity server, Brc104SessionTable sessions, Brc104Session session, string requestIdHeader,
        byte[] requestId, string nonce, byte[] nonceBytes, byte[] signature, PublicKey claimedIdentity)
    {
        _server = server;
        _sessions = sessions;
        _session = session;
        _requestIdHeader = requestIdHeader;
        _requestId = requestId;
        _nonce = nonce;
        _nonceBytes = nonceBytes;
        _signature = signature;
        _claimedIdentity = claimedIdentity;
    }

    /// <summary>Reads and checks the headers and finds the session; rejections here are unsigned.</summary>
    public static Brc104Exchange Prepare(HttpContext context, ServerIdentity server, Brc104SessionTable sessions, int maxHeader)
    {
        var headers = context.Request.Headers;
        var version = Header(headers, AuthHeaders.Version, maxHeader);
        if (version != AuthHeaders.Brc104Version)
        {
            throw new AuthRejection(RelayErrors.UnsupportedAuthVersion, $"BRC-104 version {AuthRejection.Echo(version)} is not supported; this server speaks {AuthHeaders.Brc104Version}.");
        }

        var requestIdHeader = Header(headers, AuthHeaders.RequestId, maxHeader);
        var requestId = Base64Header(AuthHeaders.RequestId, requestIdHeader, 1, 64);
        if (!PublicKey.TryParse(Header(headers, AuthHeaders.IdentityKey, maxHeader), out var identity))
        {
            throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {AuthHeaders.IdentityKey} header must be a compressed secp256k1 public key in hex.");
        }

        var nonce = Header(headers, AuthHeaders.Nonce, maxHeader);
        var nonceBytes = Base64Header(AuthHeaders.Nonce, nonce, 16, 64);
        var signature = HexSignature(AuthHeaders.Signature, Header(headers, AuthHeaders.Signature, maxHeader));
        var yourNonce = Header(headers, AuthHeaders.YourNonce, maxHeader);
        var session = sessions.Find(yourNonce)
            ?? throw new AuthRejection(RelayErrors.SessionNotFound, "Unknown or expired session; perform a new handshake at /.well-known/auth.");
        return new Brc104Exchange(server, sessions, session, requestIdHeader, requestId, nonce, nonceBytes, signature, identity);
    }

    public override PublicKey Signer => _session.Peer;

    public override void RecordNonce()
    {
        switch (_sessions.TryUseNonce(_session, _nonceBytes))
        {
            case NonceUse.Replayed:
                throw new AuthRejection(RelayErrors.NonceReplayed, "This request nonce was already used in this session.");
            case NonceUse.SessionExhausted:
                throw new AuthRejection(RelayErrors.SessionNotFound, "This session has carried the most requests one session may; perform a new handshake at /.well-known/auth.");
        }

        Identity = new PeerIdentity(_session.Peer, AuthProtocol.Brc104) { RequestNonce = _nonce };
    }

    /// <summary>Identity binding and the signature over the raw request; no state changes.</summary>
    public override void VerifySignature(HttpContext context, ReadOnlySpan<byte> body)
    {
        // The identity is the session's key; a header naming anyone else is refused, never believed.
        if (!_claimedIdentity.Equals(_session.Peer))
        {
            throw new AuthRejection(RelayErrors.InvalidAuthIdentity, "The identity key header does not match the key this session was opened with.");
        }

        var (path, query) = RawTarget(context);
        var headers = Brc104Payload.SelectRequestHeaders(SignedHeaderCandidates(context.Request.Headers));
        Span<byte> hash = stackalloc byte[32];
        using (var sink = new HashPayloadSink())
        {
            Brc104Payload.WriteRequest(sink, _requestId, context.Request.Method, path, query, headers, body);
            sink.GetHash(hash);
        }

        if (!_server.Deriver.VerifyHash(hash, _signature, Brc104Payload.Invoice(_nonce, _session.ServerNonce), _session.Peer))
        {
            throw new AuthRejection(RelayErrors.AuthFailed, "The request signature is not valid.");
        }
    }

    public override void Sign(HttpResponse response, ReadOnlySpan<byte> body)
    {
        Span<byte> nonceBytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(nonceBytes);
        var responseNonce = Convert.ToBase64String(nonceBytes);
        var signed = Brc104Payload.SelectResponseHeaders(SignedHeaderCandidates(response.Headers));
        Span<byte> hash = stackalloc byte[32];
        using (var sink = new HashPayloadSink())
        {
            Brc104Payload.WriteResponse(sink, _requestId, response.StatusCode, signed, body);
            sink.GetHash(hash);
        }

        var signature = _server.Deriver.SignHash(hash, Brc104Payload.Invoice(responseNonce, _session.PeerNonce), _session.Peer);
        var headers = response.Headers;
        headers[AuthHeaders.Version] = AuthHeaders.Brc104Version;
        headers[AuthHeaders.IdentityKey] = _server.IdentityKey.Hex;
        headers[AuthHeaders.Nonce] = responseNonce;
        headers[AuthHeaders.YourNonce] = _session.PeerNonce;
        headers[AuthHeaders.Signature] = Convert.ToHexStringLower(signature);
        headers[AuthHeaders.RequestId] = _requestIdHeader;
    }

    private static IEnumerable<KeyValuePair<string, string>> SignedHeaderCandidates(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith("x-bsv-", StringComparison.OrdinalIgnoreCase)
                || name.Equals("authorization", StringComparison.OrdinalIgnoreCase)
                || name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                yield return new(name, values.Count == 1 ? values[0] ?? "" : string.Join(", ", values.ToArray()));
            }
        }
    }
}
