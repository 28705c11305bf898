using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>POST /.well-known/auth: the BRC-103 initialRequest opens a session and is answered with the signed initialResponse.</summary>
internal static class Brc104Handshake
{
    public static readonly IReadOnlyList<RelayError> Errors = [RelayErrors.UnsupportedAuthVersion, RelayErrors.UnsupportedMessageType, RelayErrors.InvalidIdentityKey, RelayErrors.InvalidNonce];

    public static async Task HandleAsync(HttpContext context, ServerIdentity server, Brc104SessionTable sessions)
    {
        using var doc = await HandshakeEndpoints.ReadJsonAsync(context);
        if (doc is null)
        {
            return;
        }

        var root = doc.RootElement;
        var version = HandshakeEndpoints.StringProperty(root, "version");
        var messageType = HandshakeEndpoints.StringProperty(root, "messageType");
        if (version != AuthHeaders.Brc104Version)
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.UnsupportedAuthVersion, $"BRC-103 version {AuthRejection.Echo(version)} is not supported; this server speaks {AuthHeaders.Brc104Version}.");
            return;
        }

        if (messageType != "initialRequest")
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.UnsupportedMessageType, $"Message type {AuthRejection.Echo(messageType)} is not accepted here; this server requests no certificates.");
            return;
        }

        if (await HandshakeEndpoints.ClientKeyAsync(context, server, HandshakeEndpoints.StringProperty(root, "identityKey")) is not { } client)
        {
            return;
        }

        var clientNonce = HandshakeEndpoints.StringProperty(root, "initialNonce");
        var clientNonceBytes = HandshakeEndpoints.CanonicalBase64(clientNonce, 16, SessionNonce.MaxClientNonceBytes);
        if (clientNonceBytes is null)
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.InvalidNonce, $"initialNonce must be canonical base64 of 16-{SessionNonce.MaxClientNonceBytes} bytes.");
            return;
        }

        var serverNonce = sessions.Open(client, clientNonceBytes);
        var (body, signature) = InitialResponse(server, client, clientNonce!, clientNonceBytes, serverNonce);
        var headers = context.Response.Headers;
        headers[AuthHeaders.Version] = AuthHeaders.Brc104Version;
        headers[AuthHeaders.MessageType] = "initialResponse";
        headers[AuthHeaders.IdentityKey] = server.IdentityKey.Hex;
        headers[AuthHeaders.YourNonce] = clientNonce;
        headers[AuthHeaders.Signature] = Convert.ToHexStringLower(signature);
        AuthMetrics.Handshake("brc104");
        await HandshakeEndpoints.WriteAsync(context, body);
    }

    /// <summary>
    /// The signed initialResponse of a BRC-103 handshake, over HTTP or a socket alike: the server signs
    /// b64dec(clientNonce) ‖ b64dec(serverNonce) under key ID "clientNonce serverNonce" for the client.
    /// </summary>
    internal static (byte[] Body, byte[] Signature) InitialResponse(ServerIdentity server, PublicKey client, string clientNonce, byte[] clientNonceBytes, string serverNonce)
    {
        var serverNonceBytes = Convert.FromBase64String(serverNonce);
        var signed = new byte[clientNonceBytes.Length + serverNonceBytes.Length];
        clientNonceBytes.CopyTo(signed, 0);
        serverNonceBytes.CopyTo(signed, clientNonceBytes.Length);
        var signature = server.Deriver.Sign(signed, Brc104Payload.Invoice(clientNonce, serverNonce), client);
        var body = HandshakeEndpoints.WriteJson(writer =>
        {
            writer.WriteString("version", AuthHeaders.Brc104Version);
            writer.WriteString("messageType", "initialResponse");
            writer.WriteString("identityKey", server.IdentityKey.Hex);
            writer.WriteString("initialNonce", serverNonce);
            writer.WriteString("yourNonce", clientNonce);
            HandshakeEndpoints.WriteEmptyRequestedCertificates(writer);
            WriteByteArray(writer, "signature", signature);
        });
        return (body, signature);
    }

    /// <summary>Bytes as BRC-103 JSON carries them: an array of integers 0–255.</summary>
    internal static void WriteByteArray(System.Text.Json.Utf8JsonWriter writer, string name, ReadOnlySpan<byte> bytes)
    {
        writer.WriteStartArray(name);
        foreach (var b in bytes)
        {
            writer.WriteNumberValue(b);
        }

        writer.WriteEndArray();
    }
}
