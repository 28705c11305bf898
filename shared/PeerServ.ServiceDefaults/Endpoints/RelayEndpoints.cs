using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;

namespace PeerServ.ServiceDefaults.Endpoints;

/// <summary>
/// The relay endpoint pipeline. A handler takes a <see cref="RelayCall{TRequest}"/> (verified caller, request read
/// within its limit and parsed) and its services, and holds only its business lines: a failed call is answered
/// before it runs, and a store outage reaches the exception handler as a 503.
/// </summary>
public static class RelayEndpoints
{
    /// <summary>Maps <paramref name="operation"/> (method, path, name, OpenAPI description) to <paramref name="handler"/>.</summary>
    public static RouteHandlerBuilder MapRelay(this IEndpointRouteBuilder endpoints, RelayOperation operation, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var endpoint = endpoints.MapMethods(operation.Path, [operation.Method], handler)
            .WithName(operation.Name)
            .WithTags(operation.Tag)
            .WithSummary(operation.Summary)
            .WithDescription(Describe(operation))
            .Produces(StatusCodes.Status200OK, operation.Response)
            .AddEndpointFilter(static async (context, next) =>
            {
                foreach (var argument in context.Arguments)
                {
                    if (argument is IRelayCall { Error: { } error })
                    {
                        return error.ToResult();
                    }
                }

                return await next(context);
            });
        if (operation.Request is { } request)
        {
            endpoint.Accepts(request, "application/json");
        }

        foreach (var status in operation.ErrorStatuses)
        {
            endpoint.Produces<ErrorResponse>(status);
        }

        return endpoint;
    }

    /// <summary>The operation's description: its errors, then those of every authenticated call.</summary>
    public static string Describe(RelayOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return $"Errors: {RelayErrors.Describe(operation.Errors)}. Any call: {RelayErrors.Describe(RelayApi.CommonErrors)} (authentication failures are unsigned).";
    }
}
