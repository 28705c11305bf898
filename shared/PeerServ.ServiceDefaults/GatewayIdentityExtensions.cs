using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;

namespace PeerServ.ServiceDefaults;

public static partial class GatewayIdentityExtensions
{
    /// <summary>Registers the assertion checker, bound to the "Gateway" section and validated at start-up.</summary>
    public static IServiceCollection AddGatewayTrust(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GatewayTrustOptions>()
            .Bind(configuration.GetSection(GatewayTrustOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new GatewayAssertion(sp.GetRequiredService<IOptions<GatewayTrustOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Services behind the gateway: every request outside /health must carry a valid, fresh, unused gateway
    /// assertion; the identity it vouches for becomes the request's <see cref="PeerIdentity"/>. Anything else → 401.
    /// </summary>
    public static IApplicationBuilder UseGatewayIdentity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assertion = app.ApplicationServices.GetRequiredService<GatewayAssertion>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("PeerServ.GatewayIdentity");
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments("/health", StringComparison.Ordinal) || request.Path.StartsWithSegments("/metrics", StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            var identity = assertion.Verify(
                request.Headers[GatewayAssertion.AssertionHeader].ToString(),
                request.Headers[GatewayAssertion.IdentityHeader].ToString(),
                request.Headers[GatewayAssertion.ProtocolHeader].ToString(),
                request.Method,
                request.Path.Value + request.QueryString.Value,
                out var reason);
            if (identity is null)
            {
                LogRefused(logger, request.Path, reason);
                await ApiResults.Error(StatusCodes.Status401Unauthorized, "ERR_GATEWAY_ASSERTION", "Requests must come through the gateway.").ExecuteAsync(context);
                return;
            }

            context.Features.Set(identity);
            await next(context);
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to {Path} without a valid gateway assertion: {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason);
}
