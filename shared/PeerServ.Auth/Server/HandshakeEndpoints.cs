using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;

namespace PeerServ.Auth.Server;

/// <summary>POST /.well-known/auth (BRC-103 initialRequest) and POST /authrite/initialRequest (BRC-31).</summary>
public static class HandshakeEndpoints
{
    public const string Brc104Path = "/.well-known/auth";
    public const string AuthritePath = "/authrite/initialRequest";
    private const int MaxHandshakeBytes = 16 * 1024;

    public static IEndpointConventionBuilder MapPeerServAuthHandshakes(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("").RequireRateLimiting(RateLimits.HandshakePolicy);
        group.MapPost(Brc104Path, Brc104Async).WithName("Brc104Handshake");
        group.MapPost(AuthritePath, AuthriteAsync).WithName("AuthriteHandshake");
        return group;
    }

    private static async Task Brc104Async(HttpContext context)
    {
        var server = context.RequestServices.GetRequiredService<ServerIdentity>();
        var sessions = context.RequestServices.GetRequiredService<Brc104SessionTable>();
        using var doc = await ReadJsonAsync(context);
        if (doc is null)
        {
            return;
        }

        var root = doc.RootElement;
        var version = StringProperty(root, "version");
        var messageType = StringProperty(root, "messageType");
        if (version != AuthHeaders.Brc104Version)
        {
            await Reject(context, 400, "ERR_UNSUPPORTED_AUTH_VERSION", $"BRC-103 version '{version}' is not supported; this server speaks {AuthHeaders.Brc104Version}.");
            return;
        }

        if (messageType != "initialRequest")
        {
            await Reject(context, 400, "ERR_UNSUPPORTED_MESSAGE_TYPE", $"Message type '{messageType}' is not accepted here; this server requests no certificates.");
            return;
        }

        if (!PublicKey.TryParse(StringProperty(root, "identityKey"), out var client))
        {
            await Reject(context, 400, "ERR_INVALID_IDENTITY_KEY", "identityKey must be a secp256k1 public key in hex.");
            return;
        }

        var clientNonce = StringProperty(root, "initialNonce");
        var clientNonceBytes = CanonicalBase64(clientNonce, 16, SessionNonce.MaxClientNonceBytes);
        if (clientNonceBytes is null)
        {
            await Reject(context, 400, "ERR_INVALID_NONCE", $"initialNonce must be canonical base64 of 16-{SessionNonce.MaxClientNonceBytes} bytes.");
            return;
        }

        var serverNonce = sessions.Open(client, clientNonceBytes);
        var signed = new byte[clientNonceBytes.Length + SessionNonce.Length];
        clientNonceBytes.CopyTo(signed, 0);
        Convert.FromBase64String(serverNonce).CopyTo(signed, clientNonceBytes.Length);
        var signature = server.Deriver.Sign(signed, Brc104Payload.Invoice(clientNonce!, serverNonce), client);

        var body = WriteJson(writer =>
        {
            writer.WriteString("version", AuthHeaders.Brc104Version);
            writer.WriteString("messageType", "initialResponse");
            writer.WriteString("identityKey", server.IdentityKey.Hex);
            writer.WriteString("initialNonce", serverNonce);
            writer.WriteString("yourNonce", clientNonce);
            WriteEmptyRequestedCertificates(writer);
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
        await WriteAsync(context, body);
    }

    private static async Task AuthriteAsync(HttpContext context)
    {
        var server = context.RequestServices.GetRequiredService<ServerIdentity>();
        var nonces = context.RequestServices.GetRequiredService<AuthriteNonces>();
        using var doc = await ReadJsonAsync(context);
        if (doc is null)
        {
            return;
        }

        var root = doc.RootElement;
        var version = StringProperty(root, "authrite");
        if (version is null)
        {
            await Reject(context, 400, "ERR_MISSING_AUTHRITE_VERSION", "The authrite version is required.");
            return;
        }

        if (!AuthriteExchange.IsSupportedVersion(version))
        {
            await Reject(context, 400, "ERR_AUTHRITE_VERSION_MISMATCH", $"Authrite version '{version}' is not supported; this server speaks 0.1 and 0.2.");
            return;
        }

        var messageType = StringProperty(root, "messageType");
        var identityKey = StringProperty(root, "identityKey");
        var clientNonce = StringProperty(root, "nonce");
        if (identityKey is null || clientNonce is null)
        {
            await Reject(context, 400, "ERR_AUTHRITE_MISSING_INITIAL_REQUEST_PARAMS", "identityKey and nonce are required.");
            return;
        }

        if (messageType is not (null or "initialRequest"))
        {
            await Reject(context, 400, "ERR_UNSUPPORTED_MESSAGE_TYPE", $"Message type '{messageType}' is not accepted here.");
            return;
        }

        if (!PublicKey.TryParse(identityKey, out var client))
        {
            await Reject(context, 400, "ERR_INVALID_IDENTITY_KEY", "identityKey must be a secp256k1 public key in hex.");
            return;
        }

        if (CanonicalBase64(clientNonce, 16, 64) is null)
        {
            await Reject(context, 400, "ERR_INVALID_NONCE", "nonce must be base64 of 16-64 bytes.");
            return;
        }

        var serverNonce = nonces.Create();
        var signature = server.Deriver.Sign(Encoding.UTF8.GetBytes(clientNonce + serverNonce), AuthriteExchange.Invoice(clientNonce, serverNonce), client);
        var body = WriteJson(writer =>
        {
            writer.WriteString("authrite", version);
            writer.WriteString("messageType", "initialResponse");
            writer.WriteString("identityKey", server.IdentityKey.Hex);
            writer.WriteString("nonce", serverNonce);
            writer.WriteStartArray("certificates");
            writer.WriteEndArray();
            WriteEmptyRequestedCertificates(writer);
            writer.WriteString("signature", Convert.ToHexStringLower(signature));
        });
        AuthMetrics.Handshake("authrite");
        await WriteAsync(context, body);
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxHandshakeBytes)
        {
            await Reject(context, 413, "ERR_REQUEST_TOO_LARGE", $"A handshake body is at most {MaxHandshakeBytes} bytes.");
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxHandshakeBytes)
            {
                await Reject(context, 413, "ERR_REQUEST_TOO_LARGE", $"A handshake body is at most {MaxHandshakeBytes} bytes.");
                return null;
            }
        }

        try
        {
            var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return doc;
            }

            doc.Dispose();
        }
        catch (JsonException)
        {
        }

        await Reject(context, 400, "ERR_BAD_REQUEST_BODY", "The handshake body must be a JSON object.");
        return null;
    }

    private static Task Reject(HttpContext context, int status, string code, string description)
    {
        AuthMetrics.Rejected(code);
        return AuthError.WriteUnsignedAsync(context, status, code, description);
    }

    private static string? StringProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Decoded bytes if <paramref name="value"/> is canonical base64 of the given size, else null.</summary>
    private static byte[]? CanonicalBase64(string? value, int minBytes, int maxBytes)
    {
        if (value is null || value.Length > 4 * ((maxBytes + 2) / 3))
        {
            return null;
        }

        var buffer = new byte[maxBytes + 3];
        if (!Convert.TryFromBase64String(value, buffer, out var n) || n < minBytes || n > maxBytes)
        {
            return null;
        }

        var bytes = buffer[..n];
        return Convert.ToBase64String(bytes) == value ? bytes : null;
    }

    private static void WriteEmptyRequestedCertificates(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("requestedCertificates");
        writer.WriteStartArray("certifiers");
        writer.WriteEndArray();
        writer.WriteStartObject("types");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> properties)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer, AuthError.WriterOptions))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
