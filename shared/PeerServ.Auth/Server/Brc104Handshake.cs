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
        var signed = new byte[clientNonceBytes.Length + SessionNonce.Length];
        clientNonceBytes.CopyTo(signed, 0);
        Convert.FromBase64String(serverNonce).CopyTo(signed, clientNonceBytes.Length);
        var signature = server.Deriver.Sign(signed, Brc104Payload.Invoice(clientNonce!, serverNonce), client);

        var body = HandshakeEndpoints.WriteJson(writer =>
        {
            writer.WriteString("version", AuthHeaders.Brc104Version);
            writer.WriteString("messageType", "initialResponse");
            writer.WriteString("identityKey", server.IdentityKey.Hex);
            writer.WriteString("initialNonce", serverNonce);
            writer.WriteString("yourNonce", clientNonce);
            HandshakeEndpoints.WriteEmptyRequestedCertificates(writer);
            writer.WriteStartArray("signature");
            foreach (var b in signature)
            {
                writer.WriteNumberValue(b);
            }

            writer.WriteEndArray();
        });
        var headers = context.Response.Headers;
        headers[AuthHeaders.Version] = AuthHeaders.Brc104Version;
        headers[AuthHeaders.MessageType] = "initialResponse";
        headers[AuthHeaders.IdentityKey] = server.IdentityKey.Hex;
        headers[AuthHeaders.YourNonce] = clientNonce;
        headers[AuthHeaders.Signature] = Convert.ToHexStringLower(signature);
        AuthMetrics.Handshake("brc104");
        await HandshakeEndpoints.WriteAsync(context, body);
    }
}
