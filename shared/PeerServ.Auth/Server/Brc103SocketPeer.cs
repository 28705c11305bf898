using System.Security.Cryptography;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>Why a socket's BRC-103 message was refused: the catalogue error and a description safe to show.</summary>
public sealed class Brc103RejectionException(RelayError error, string description) : Exception(description)
{
    public RelayError Error { get; } = error.With(description);
}

/// <summary>
/// The server side of one BRC-103 session carried over a socket ("authsocket"): the initialRequest that opens it
/// (answered with the same signed initialResponse as POST /.well-known/auth), general messages verified under the
/// session's key over their raw payload bytes, and general messages signed for the peer. The peer's identity is
/// the key the session was opened with; a general message claiming another is refused, whatever its signature.
/// One instance per connection; not thread-safe (a connection's messages arrive in order).
/// </summary>
public sealed class Brc103SocketPeer(ServerIdentity server, int maxNonces = 100_000)
{
    private const int MessageNonceBytes = 32;
    private const int MaxPayloadArray = 64 << 20;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private string? _ourNonce;
    private string? _peerNonce;

    /// <summary>The key the session was opened with (null before an initialRequest).</summary>
    public PublicKey? Peer { get; private set; }

    /// <summary>Whether a general message of this session verified: the peer proved its key.</summary>
    public bool IsVerified { get; private set; }

    /// <summary>Opens (or replaces) the session; returns the initialResponse message as JSON.</summary>
    public byte[] Open(JsonElement initialRequest, ReadOnlySpan<byte> serverNonce = default)
    {
        var version = HandshakeEndpoints.StringProperty(initialRequest, "version");
        if (version != AuthHeaders.Brc104Version)
        {
            throw new Brc103RejectionException(RelayErrors.UnsupportedAuthVersion, $"BRC-103 version {AuthRejection.Echo(version)} is not supported; this server speaks {AuthHeaders.Brc104Version}.");
        }

        if (!PublicKey.TryParse(HandshakeEndpoints.StringProperty(initialRequest, "identityKey"), out var client) || server.IsForbiddenPeer(client))
        {
            throw new Brc103RejectionException(RelayErrors.InvalidIdentityKey, "identityKey must be a secp256k1 public key in hex, neither the server's own key nor the 'anyone' key.");
        }

        var clientNonce = HandshakeEndpoints.StringProperty(initialRequest, "initialNonce");
        var clientNonceBytes = HandshakeEndpoints.CanonicalBase64(clientNonce, 16, SessionNonce.MaxClientNonceBytes)
            ?? throw new Brc103RejectionException(RelayErrors.InvalidNonce, $"initialNonce must be canonical base64 of 16-{SessionNonce.MaxClientNonceBytes} bytes.");
        var ourNonce = Convert.ToBase64String(serverNonce.IsEmpty ? RandomNumberGenerator.GetBytes(MessageNonceBytes) : serverNonce);

        Peer = client;
        IsVerified = false;
        _ourNonce = ourNonce;
        _peerNonce = clientNonce;
        _seen.Clear();
        return Brc104Handshake.InitialResponse(server, client, clientNonce!, clientNonceBytes, ourNonce).Body;
    }

    /// <summary>Verifies a general message of this session and returns its payload bytes.</summary>
    public byte[] Verify(JsonElement message)
    {
        if (Peer is null || _ourNonce is null)
        {
            throw new Brc103RejectionException(RelayErrors.SessionNotFound, "No BRC-103 session is open on this connection: send an initialRequest first.");
        }

        if (HandshakeEndpoints.StringProperty(message, "version") != AuthHeaders.Brc104Version)
        {
            throw new Brc103RejectionException(RelayErrors.UnsupportedAuthVersion, $"BRC-103 version must be {AuthHeaders.Brc104Version}.");
        }

        if (HandshakeEndpoints.StringProperty(message, "identityKey") is not { } claimed || !string.Equals(claimed, Peer.Hex, StringComparison.OrdinalIgnoreCase))
        {
            throw new Brc103RejectionException(RelayErrors.InvalidAuthIdentity, "identityKey does not match the key this session was opened with.");
        }

        if (HandshakeEndpoints.StringProperty(message, "yourNonce") != _ourNonce)
        {
            throw new Brc103RejectionException(RelayErrors.SessionNotFound, "yourNonce is not this connection's session nonce.");
        }

        var nonce = HandshakeEndpoints.StringProperty(message, "nonce");
        if (HandshakeEndpoints.CanonicalBase64(nonce, 16, 64) is null)
        {
            throw new Brc103RejectionException(RelayErrors.InvalidNonce, "nonce must be canonical base64 of 16-64 bytes.");
        }

        var payload = Bytes(message, "payload", MaxPayloadArray) ?? throw new Brc103RejectionException(RelayErrors.InvalidAuthHeader, "payload must be an array of byte values (0-255).");
        var signature = Bytes(message, "signature", 80) ?? throw new Brc103RejectionException(RelayErrors.InvalidAuthHeader, "signature must be an array of byte values (0-255).");
        if (_seen.Contains(nonce!))
        {
            throw new Brc103RejectionException(RelayErrors.NonceReplayed, "This message nonce was already used on this connection.");
        }

        if (!server.Deriver.Verify(payload, signature, Brc104Payload.Invoice(nonce!, _ourNonce), Peer))
        {
            throw new Brc103RejectionException(RelayErrors.AuthFailed, "The message signature is not valid.");
        }

        if (_seen.Count >= maxNonces)
        {
            throw new Brc103RejectionException(RelayErrors.SessionNotFound, "This session has carried the most messages allowed; connect again.");
        }

        _seen.Add(nonce!);
        IsVerified = true;
        return payload;
    }

    /// <summary>A general message to the peer carrying <paramref name="payload"/>, signed for this session, as JSON.</summary>
    public byte[] Sign(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> messageNonce = default)
    {
        if (Peer is null || _peerNonce is null)
        {
            throw new InvalidOperationException("No session is open: nothing can be signed for this connection.");
        }

        var nonce = Convert.ToBase64String(messageNonce.IsEmpty ? RandomNumberGenerator.GetBytes(MessageNonceBytes) : messageNonce);
        var signature = server.Deriver.Sign(payload, Brc104Payload.Invoice(nonce, _peerNonce), Peer);
        var bytes = payload.ToArray();
        return HandshakeEndpoints.WriteJson(writer =>
        {
            writer.WriteString("version", AuthHeaders.Brc104Version);
            writer.WriteString("messageType", "general");
            writer.WriteString("identityKey", server.IdentityKey.Hex);
            writer.WriteString("nonce", nonce);
            writer.WriteString("yourNonce", _peerNonce);
            Brc104Handshake.WriteByteArray(writer, "payload", bytes);
            Brc104Handshake.WriteByteArray(writer, "signature", signature);
        });
    }

    /// <summary>A JSON array of integers 0–255 as bytes, or null if it is anything else or longer than <paramref name="max"/>.</summary>
    private static byte[]? Bytes(JsonElement message, string name, int max)
    {
        if (!message.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() > max)
        {
            return null;
        }

        var bytes = new byte[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetByte(out var b))
            {
                return null;
            }

            bytes[i++] = b;
        }

        return bytes;
    }
}
