using System.Text;
using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>POST /authrite/initialRequest: the BRC-31 handshake, answered with the server nonce and its signature.</summary>
internal static class AuthriteHandshake
{
    public static readonly IReadOnlyList<RelayError> Errors = [RelayErrors.MissingAuthriteVersion, RelayErrors.AuthriteVersionMismatch, RelayErrors.AuthriteMissingParams, RelayErrors.UnsupportedMessageType, RelayErrors.InvalidIdentityKey, RelayErrors.InvalidNonce];

    public static async Task HandleAsync(HttpContext context, ServerIdentity server, AuthriteNonces nonces)
    {
        using var doc = await HandshakeEndpoints.ReadJsonAsync(context);
        if (doc is null)
        {
            return;
        }

        var root = doc.RootElement;
        var version = HandshakeEndpoints.StringProperty(root, "authrite");
        if (version is null)
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.MissingAuthriteVersion, "The authrite version is required.");
            return;
        }

        if (!AuthriteExchange.IsSupportedVersion(version))
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.AuthriteVersionMismatch, $"Authrite version {AuthRejection.Echo(version)} is not supported; this server speaks 0.1 and 0.2.");
            return;
        }

        var messageType = HandshakeEndpoints.StringProperty(root, "messageType");
        var identityKey = HandshakeEndpoints.StringProperty(root, "identityKey");
        var clientNonce = HandshakeEndpoints.StringProperty(root, "nonce");
        if (identityKey is null || clientNonce is null)
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.AuthriteMissingParams, "identityKey and nonce are required.");
            return;
        }

        if (messageType is not (null or "initialRequest"))
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.UnsupportedMessageType, $"Message type {AuthRejection.Echo(messageType)} is not accepted here.");
            return;
        }

        if (await HandshakeEndpoints.ClientKeyAsync(context, server, identityKey) is not { } client)
        {
            return;
        }

        if (HandshakeEndpoints.CanonicalBase64(clientNonce, 16, 64) is null)
        {
            await HandshakeEndpoints.Reject(context, RelayErrors.InvalidNonce, "nonce must be base64 of 16-64 bytes.");
            return;
        }

        var serverNonce = nonces.Create();
        var signature = server.Deriver.Sign(Encoding.UTF8.GetBytes(clientNonce + serverNonce), AuthriteProtocol.Invoice(clientNonce, serverNonce), client);
        var body = HandshakeEndpoints.WriteJson(writer =>
        {
            writer.WriteString("authrite", version);
            writer.WriteString("messageType", "initialResponse");
            writer.WriteString("identityKey", server.IdentityKey.Hex);
            writer.WriteString("nonce", serverNonce);
            writer.WriteStartArray("certificates");
            writer.WriteEndArray();
            HandshakeEndpoints.WriteEmptyRequestedCertificates(writer);
            writer.WriteString("signature", Convert.ToHexStringLower(signature));
        });
        AuthMetrics.Handshake("authrite");
        await HandshakeEndpoints.WriteAsync(context, body);
    }
}
