using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Protocol;
using PeerServ.Relay.Options;

namespace PeerServ.Auth.Server;

public static class PeerServAuthExtensions
{
    public const string CorsPolicy = "PeerServAuth";

    /// <summary>
    /// Registers the auth services, bound to the "Auth" and "RateLimits" sections and validated at start-up (the host
    /// registers the <see cref="TimeProvider"/>). <paramref name="configure"/> runs after the binding.
    /// </summary>
    public static IServiceCollection AddPeerServAuth(this IServiceCollection services, Action<PeerServAuthOptions>? configure = null)
    {
        var builder = services.AddValidatedOptions<PeerServAuthOptions>(PeerServAuthOptions.SectionName)
            .Validate(o => IsValidKey(o.ServerPrivateKey), "Auth:ServerPrivateKey (Auth__ServerPrivateKey) must be 64 hex characters of a valid secp256k1 private key.")
            .Validate(o => o.AuthriteReplayWindow >= o.AuthriteServerNonceLifetime,
                "Auth:AuthriteReplayWindow (Auth__AuthriteReplayWindow) must be at least Auth:AuthriteServerNonceLifetime, or a BRC-31 request could be replayed while its server nonce is still accepted.")
            .Validate(o => string.IsNullOrEmpty(o.PublicBaseUrl) || Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out _), "Auth:PublicBaseUrl (Auth__PublicBaseUrl) must be an absolute URL.");
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddSingleton<ServerIdentity>();
        services.TryAddSingleton<Brc104SessionTable>();
        services.TryAddSingleton<AuthriteNonces>();
        services.AddPeerServRateLimits();
        ForwardedNetworkOptions.AddForwardedNetworks(services);
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .AllowAnyHeader()
            .AllowAnyMethod()
            .WithExposedHeaders(AuthHeaders.All)));
        return services;
    }

    /// <summary>CORS (exposing the auth headers to browsers), then authentication and response signing.</summary>
    public static IApplicationBuilder UsePeerServAuth(this IApplicationBuilder app)
    {
        // Resolve once so that a bad key fails the host at start-up, not on the first request.
        _ = app.ApplicationServices.GetRequiredService<ServerIdentity>();
        if (app.ApplicationServices.GetRequiredService<IOptions<ForwardedNetworkOptions>>().Value.Enabled)
        {
            // First: every per-address limit keys on the client behind the trusted proxy.
            app.UseForwardedHeaders();
        }

        app.UseCors(CorsPolicy);
        // Every limit (handshakes, unverified work, requests per identity) is the middleware's own (AuthLimits).
        return app.UseMiddleware<PeerServAuthMiddleware>();
    }

    private static bool IsValidKey(string? hex)
    {
        try
        {
            return hex is not null && PrivateKey.FromHex(hex) is not null;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
