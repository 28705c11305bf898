using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Http;
using PeerServ.Relay.Options;

namespace PeerServ.Auth.Gateway;

public static partial class GatewayAssertionExtensions
{
    /// <summary>The assertion's options (section "Gateway", validated at start-up) and the assertion itself, for the gateway and the services.</summary>
    public static IServiceCollection AddGatewayAssertion(this IServiceCollection services)
    {
        services.AddValidatedOptions<GatewayAssertionOptions>(GatewayAssertionOptions.SectionName)
            .Validate(o => !o.InternalSecret.StartsWith("replace-with-", StringComparison.Ordinal),
                "Gateway:InternalSecret (Gateway__InternalSecret) is still the example's placeholder: generate one, e.g. openssl rand -hex 32.");
        services.AddSingleton(sp => new GatewayAssertion(sp.GetRequiredService<IOptions<GatewayAssertionOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Services behind the gateway: every request outside <see cref="RelayPaths.Anonymous"/> must carry a valid, fresh,
    /// unused gateway assertion over its method, target and body; the identity it vouches for becomes the request's
    /// <see cref="PeerIdentity"/>. Anything else → 401. The body is read here (within the largest relay request) to be hashed.
    /// </summary>
    public static IApplicationBuilder UseGatewayAssertion(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assertion = app.ApplicationServices.GetRequiredService<GatewayAssertion>();
        var logger = app.ApplicationServices.GetRequiredService<ILogger<GatewayAssertion>>();
        var maxBytes = app.ApplicationServices.GetRequiredService<IOptions<RelayOptions>>().Value.MaxRequestBytes;
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (RelayPaths.IsUnder(request.Path, RelayPaths.Anonymous))
            {
                await next(context);
                return;
            }

            using var body = await BoundedBody.ReadAsync(request, maxBytes, context.RequestAborted);
            if (body is null)
            {
                await RelayErrors.RequestTooLarge.With($"The request body is larger than the limit of {maxBytes} bytes.").WriteAsync(context);
                return;
            }

            var identity = assertion.Verify(
                request.Headers[GatewayAssertion.AssertionHeader].ToString(),
                request.Headers[GatewayAssertion.IdentityHeader].ToString(),
                request.Headers[GatewayAssertion.ProtocolHeader].ToString(),
                request.Headers[GatewayAssertion.RequestNonceHeader].ToString(),
                request.Method,
                request.Path.Value + request.QueryString.Value,
                body.Memory.Span,
                out var reason);
            if (identity is null)
            {
                LogRefused(logger, request.Path, reason);
                await RelayErrors.GatewayAssertion.WriteAsync(context);
                return;
            }

            context.Features.Set(identity);
            context.Features.Set(new VerifiedRequestBody(body.Memory));
            request.Body = body.AsStream();
            await next(context);
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to {Path} without a valid gateway assertion: {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason);
}
