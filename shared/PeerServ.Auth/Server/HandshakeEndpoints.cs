using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Http;
using PeerServ.Relay.Wire;

namespace PeerServ.Auth.Server;

/// <summary>POST /.well-known/auth (BRC-103 initialRequest) and POST /authrite/initialRequest (BRC-31).</summary>
public static class HandshakeEndpoints
{
    public const string Brc104Path = Brc104Payload.HandshakePath;
    public const string AuthritePath = AuthriteProtocol.HandshakePath;
    private const int MaxHandshakeBytes = 16 * 1024;

    public static bool IsHandshakePath(PathString path) =>
        path.Equals(Brc104Path, StringComparison.OrdinalIgnoreCase) || path.Equals(AuthritePath, StringComparison.OrdinalIgnoreCase);

    public static IEndpointConventionBuilder MapPeerServAuthHandshakes(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapPost(Brc104Path, Brc104Handshake.HandleAsync).WithName("Brc104Handshake")
            .WithHandshakeDocs<Brc104InitialRequest, Brc104InitialResponse>(
                "BRC-103/104 handshake: opens a session; later requests carry x-bsv-auth-* headers", Brc104Handshake.Errors);
        group.MapPost(AuthritePath, AuthriteHandshake.HandleAsync).WithName("AuthriteHandshake")
            .WithHandshakeDocs<AuthriteInitialRequest, AuthriteInitialResponse>(
                "BRC-31 Authrite handshake; later requests carry x-authrite-* headers", AuthriteHandshake.Errors);
        return group;
    }

    private static RouteHandlerBuilder WithHandshakeDocs<TRequest, TResponse>(this RouteHandlerBuilder endpoint, string summary, IReadOnlyList<RelayError> errors)
        where TRequest : notnull => endpoint
        .WithTags("authentication")
        .WithSummary(summary)
        .WithDescription($"Unauthenticated. Errors (unsigned): {RelayErrors.Describe([.. errors, RelayErrors.BadHandshakeBody, RelayErrors.RequestTooLarge, RelayErrors.RateLimited])}.")
        .Accepts<TRequest>("application/json")
        .Produces<TResponse>(StatusCodes.Status200OK)
        .Produces<ErrorResponse>(StatusCodes.Status400BadRequest)
        .Produces<ErrorResponse>(StatusCodes.Status413PayloadTooLarge)
        .Produces<ErrorResponse>(StatusCodes.Status429TooManyRequests);

    /// <summary>The handshake body as a JSON object, or null once the refusal is written.</summary>
    internal static async Task<JsonDocument?> ReadJsonAsync(HttpContext context)
    {
        using var body = await BoundedBody.ReadAsync(context.Request, MaxHandshakeBytes, context.RequestAborted);
        if (body is null)
        {
            await Reject(context, RelayErrors.RequestTooLarge, $"A handshake body is at most {MaxHandshakeBytes} bytes.");
            return null;
        }

        // Parsed into a copy: the document outlives the pooled buffer.
        var document = BoundedBody.ParseObject(body.Memory.ToArray(), maxDepth: 16);
        if (document is null)
        {
            await Reject(context, RelayErrors.BadHandshakeBody, RelayErrors.BadHandshakeBody.Description);
        }
        else if (!BoundedBody.HasValidStrings(document.RootElement))
        {
            document.Dispose();
            document = null;
            await Reject(context, RelayErrors.BadHandshakeBody, "The handshake body holds a string that is not valid UTF-16 (a lone surrogate escape).");
        }

        return document;
    }

    /// <summary>The client's identity key, or null once the refusal is written (not a key; the server's own or the "anyone" key).</summary>
    internal static async Task<PublicKey?> ClientKeyAsync(HttpContext context, ServerIdentity server, string? identityKey)
    {
        if (!PublicKey.TryParse(identityKey, out var client))
        {
            await Reject(context, RelayErrors.InvalidIdentityKey, "identityKey must be a secp256k1 public key in hex.");
            return null;
        }

        if (server.IsForbiddenPeer(client))
        {
            await Reject(context, RelayErrors.InvalidIdentityKey, "identityKey may be neither the server's own key nor the 'anyone' key.");
            return null;
        }

        return client;
    }

    internal static Task Reject(HttpContext context, RelayError error, string description)
    {
        AuthMetrics.Rejected(error.Code);
        return error.With(description).WriteAsync(context);
    }

    internal static string? StringProperty(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Decoded bytes if <paramref name="value"/> is canonical base64 of the given size, else null.</summary>
    internal static byte[]? CanonicalBase64(string? value, int minBytes, int maxBytes)
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

    internal static void WriteEmptyRequestedCertificates(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("requestedCertificates");
        writer.WriteStartArray("certifiers");
        writer.WriteEndArray();
        writer.WriteStartObject("types");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    internal static byte[] WriteJson(Action<Utf8JsonWriter> properties)
    {
        using var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer, RelayJson.WriterOptions))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    internal static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
