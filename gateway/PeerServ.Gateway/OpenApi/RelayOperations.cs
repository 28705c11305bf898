using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Yarp.ReverseProxy.Configuration;

namespace PeerServ.Gateway.OpenApi;

/// <summary>
/// Describes the routes the gateway proxies (YARP routes, not endpoints the generator can see) — one POST operation
/// per route in the proxy configuration — and the two handshakes (endpoints that write their answers themselves),
/// with schemas generated from the public wire types.
/// </summary>
internal sealed class RelayOperations(IProxyConfigProvider proxy) : IOpenApiDocumentTransformer
{
    private static readonly Dictionary<string, (string Summary, Type Request, Type Response, string Errors)> Known = new(StringComparer.Ordinal)
    {
        ["/sendMessage"] = ("Send a message into one or more recipients' boxes (all or none; 200 only once stored)", typeof(SendMessageRequest), typeof(SendMessageResponse),
            "400 ERR_MESSAGE_REQUIRED, ERR_INVALID_MESSAGE, ERR_RECIPIENT_REQUIRED, ERR_INVALID_RECIPIENT, ERR_INVALID_RECIPIENT_KEY, ERR_DUPLICATE_RECIPIENT, ERR_TOO_MANY_RECIPIENTS, ERR_MESSAGEBOX_REQUIRED, ERR_INVALID_MESSAGEBOX, ERR_MESSAGEBOX_TOO_LARGE, ERR_MESSAGE_BODY_REQUIRED, ERR_INVALID_MESSAGE_BODY, ERR_INVALID_MESSAGEID, ERR_MESSAGEID_COUNT_MISMATCH, ERR_DUPLICATE_MESSAGE, ERR_INVALID_JSON; 413 ERR_MESSAGE_BODY_TOO_LARGE, ERR_REQUEST_TOO_LARGE; 429 ERR_RATE_LIMITED; 503 ERR_SERVICE_UNAVAILABLE"),
        ["/listMessages"] = ("List the caller's messages in one box, oldest first (long-poll with waitSeconds)", typeof(ListMessagesRequest), typeof(ListMessagesResponse),
            "400 ERR_MESSAGEBOX_REQUIRED, ERR_INVALID_MESSAGEBOX, ERR_MESSAGEBOX_TOO_LARGE, ERR_INVALID_LIMIT, ERR_INVALID_OFFSET, ERR_INVALID_WAIT, ERR_INVALID_JSON; 413 ERR_MESSAGE_RESPONSE_TOO_LARGE; 429 ERR_RATE_LIMITED; 503 ERR_SERVICE_UNAVAILABLE"),
        ["/acknowledgeMessage"] = ("Acknowledge (delete) the caller's messages by id, in any box", typeof(AcknowledgeMessageRequest), typeof(AcknowledgeMessageResponse),
            "400 ERR_MESSAGE_ID_REQUIRED, ERR_INVALID_MESSAGE_ID, ERR_TOO_MANY_MESSAGE_IDS, ERR_INVALID_ACKNOWLEDGMENT, ERR_INVALID_JSON; 429 ERR_RATE_LIMITED; 503 ERR_SERVICE_UNAVAILABLE"),
    };

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "PeerServ relay (BRC-33)";
        document.Info.Description = "Every request is mutually authenticated (BRC-103/104 via POST /.well-known/auth, or BRC-31 Authrite via POST /authrite/initialRequest) and every answer is signed. Unknown or expired sessions get an unsigned 401 (ERR_SESSION_NOT_FOUND), after which clients handshake again.";
        var error = await context.GetOrCreateSchemaAsync(typeof(ErrorResponse), null, cancellationToken);
        document.Paths ??= [];
        document.Paths["/.well-known/auth"] = await HandshakeAsync(document, context, error, typeof(Brc104InitialRequest), typeof(Brc104InitialResponse),
            "BRC-103/104 handshake: opens a session; later requests carry x-bsv-auth-* headers", "400 ERR_UNSUPPORTED_AUTH_VERSION, ERR_UNSUPPORTED_MESSAGE_TYPE, ERR_INVALID_IDENTITY_KEY, ERR_INVALID_NONCE, ERR_BAD_REQUEST_BODY; 413 ERR_REQUEST_TOO_LARGE; 429 ERR_RATE_LIMITED", cancellationToken);
        document.Paths["/authrite/initialRequest"] = await HandshakeAsync(document, context, error, typeof(AuthriteInitialRequest), typeof(AuthriteInitialResponse),
            "BRC-31 Authrite handshake; later requests carry x-authrite-* headers", "400 ERR_MISSING_AUTHRITE_VERSION, ERR_AUTHRITE_VERSION_MISMATCH, ERR_AUTHRITE_MISSING_INITIAL_REQUEST_PARAMS, ERR_INVALID_IDENTITY_KEY, ERR_INVALID_NONCE, ERR_BAD_REQUEST_BODY; 413 ERR_REQUEST_TOO_LARGE; 429 ERR_RATE_LIMITED", cancellationToken);
        foreach (var route in proxy.GetConfig().Routes)
        {
            if (route.Match.Path is not { } path || !Known.TryGetValue(path, out var known))
            {
                continue;
            }

            var operation = new OpenApiOperation
            {
                Summary = known.Summary,
                Description = "Errors: " + known.Errors + ". Authentication failures: 400 ERR_INVALID_AUTH_HEADER, ERR_MISSING_AUTH_HEADER; 401 UNAUTHORIZED, ERR_AUTH_FAILED, ERR_SESSION_NOT_FOUND, ERR_INVALID_AUTH_IDENTITY, ERR_NONCE_REPLAYED.",
                Tags = new HashSet<OpenApiTagReference> { new("relay", document) },
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(known.Request, null, cancellationToken) } },
                },
                Responses = new OpenApiResponses
                {
                    ["200"] = Json("Success, signed.", await context.GetOrCreateSchemaAsync(known.Response, null, cancellationToken)),
                    ["400"] = Json("Invalid input, signed.", error),
                    ["401"] = Json("Authentication failed (unsigned).", error),
                    ["413"] = Json("Too large.", error),
                    ["429"] = Json("Rate limited; see Retry-After.", error),
                    ["503"] = Json("Store or service unavailable; retry (see Retry-After).", error),
                },
            };
            document.Paths[path] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = operation } };
        }
    }

    private static async Task<OpenApiPathItem> HandshakeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, IOpenApiSchema error,
        Type request, Type response, string summary, string errors, CancellationToken cancellationToken) => new()
    {
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Post] = new()
            {
                Summary = summary,
                Description = "Unauthenticated. Errors (unsigned): " + errors + ".",
                Tags = new HashSet<OpenApiTagReference> { new("authentication", document) },
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(request, null, cancellationToken) } },
                },
                Responses = new OpenApiResponses
                {
                    ["200"] = Json("Signed initial response.", await context.GetOrCreateSchemaAsync(response, null, cancellationToken)),
                    ["400"] = Json("Invalid handshake.", error),
                    ["429"] = Json("Too many handshakes from this address; see Retry-After.", error),
                },
            },
        },
    };

    private static OpenApiResponse Json(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
    };
}
