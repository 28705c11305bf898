using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;
using Yarp.ReverseProxy.Configuration;

namespace PeerServ.Gateway.OpenApi;

/// <summary>
/// Documents the routes the gateway proxies, which the generator cannot see (YARP routes, not endpoints): each route
/// whose metadata names a relay operation ("Metadata": { "Operation": "SendMessage" }) gets that operation's
/// description, the same one the services' endpoints carry, with schemas generated from the shared wire records.
/// </summary>
internal sealed class ProxiedRoutesOpenApiTransformer(IProxyConfigProvider proxy) : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var error = await context.GetOrCreateSchemaAsync(typeof(ErrorResponse), null, cancellationToken);
        document.Paths ??= [];
        foreach (var route in proxy.GetConfig().Routes)
        {
            if (RelayApi.Find(route.Metadata?.GetValueOrDefault(RelayApi.OperationMetadataKey)) is not { } relay)
            {
                continue;
            }

            var operation = new OpenApiOperation
            {
                OperationId = relay.Name,
                Summary = relay.Summary,
                Description = RelayEndpoints.Describe(relay),
                Tags = new HashSet<OpenApiTagReference> { new(relay.Tag, document) },
                Responses = new OpenApiResponses { ["200"] = Json("Success, signed.", await context.GetOrCreateSchemaAsync(relay.Response, null, cancellationToken)) },
            };
            if (relay.Request is { } request)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(request, null, cancellationToken) } },
                };
            }

            foreach (var status in relay.ErrorStatuses)
            {
                operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Json(status == 401 ? "Authentication failed (unsigned)." : "Error, signed.", error);
            }

            var path = route.Match.Path ?? relay.Path;
            document.Paths[path] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Parse(relay.Method)] = operation } };
        }
    }

    private static OpenApiResponse Json(string description, IOpenApiSchema schema) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
    };
}
