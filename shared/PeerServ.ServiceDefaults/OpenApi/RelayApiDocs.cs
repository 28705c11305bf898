using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Scalar.AspNetCore;

namespace PeerServ.ServiceDefaults.OpenApi;

/// <summary>The public API document (/openapi/v1.json) and its page (/docs), for the hosts clients talk to.</summary>
public static class RelayApiDocs
{
    public const string DocumentPattern = "/openapi/{documentName}.json";
    public const string DocumentName = "v1";
    public const string DocsPath = "/docs";

    /// <summary>Generated from endpoint metadata (<see cref="Endpoints.RelayEndpoints.MapRelay"/> and the handshakes); <paramref name="configure"/> adds what no endpoint of this host describes.</summary>
    public static IServiceCollection AddRelayApiDocument(this IServiceCollection services, Action<OpenApiOptions>? configure = null) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "PeerServ relay (BRC-33)";
                document.Info.Description = "Every request is mutually authenticated (BRC-103/104 via POST /.well-known/auth, or BRC-31 Authrite via POST /authrite/initialRequest) and every answer is signed. Unknown or expired sessions get an unsigned 401 (ERR_SESSION_NOT_FOUND), after which clients handshake again.";
                return Task.CompletedTask;
            });
            configure?.Invoke(options);
        });

    public static WebApplication MapRelayApiDocs(this WebApplication app)
    {
        app.MapOpenApi(DocumentPattern);
        app.MapScalarApiReference(DocsPath, options => options.WithOpenApiRoutePattern(DocumentPattern).WithTitle("PeerServ relay API"));
        return app;
    }
}
