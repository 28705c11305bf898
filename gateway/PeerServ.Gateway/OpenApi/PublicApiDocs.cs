using Scalar.AspNetCore;

namespace PeerServ.Gateway.OpenApi;

public static class PublicApiDocs
{
    public const string DocumentPattern = "/openapi/{documentName}.json";

    public static IServiceCollection AddPublicApiDocument(this IServiceCollection services) =>
        services.AddOpenApi("v1", options => options.AddDocumentTransformer<RelayOperations>());

    /// <summary>/openapi/v1.json (the public API: the three relay routes and both handshakes) and a docs page at /docs.</summary>
    public static WebApplication MapPublicApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPattern);
        app.MapScalarApiReference("/docs", options => options.WithOpenApiRoutePattern(DocumentPattern).WithTitle("PeerServ relay API"));
        return app;
    }
}
