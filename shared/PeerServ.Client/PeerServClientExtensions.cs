using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using PeerServ.Auth.Crypto;

namespace PeerServ.Client;

public static class PeerServClientExtensions
{
    /// <summary>The name of the client's HttpClient in IHttpClientFactory.</summary>
    public const string HttpClientName = "PeerServ.Client";

    /// <summary>
    /// A <see cref="PeerServClient"/> through IHttpClientFactory: the options from <paramref name="configure"/> (and the
    /// "PeerServ" section when <paramref name="configuration"/> is given), retries outside and the protocol's
    /// authenticating handler inside, so that each attempt is signed afresh. Resolve <see cref="PeerServClient"/>.
    /// </summary>
    public static IHttpClientBuilder AddPeerServClient(this IServiceCollection services, Action<PeerServClientOptions>? configure = null, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PeerServClientOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(PeerServClientOptions.SectionName));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Relay is { IsAbsoluteUri: true }, "PeerServ:Relay must be the relay's absolute URL.")
            .Validate(o => o.PrivateKey is { Length: 64 } && o.PrivateKey.All(Uri.IsHexDigit), "PeerServ:PrivateKey must be 64 hex characters.")
            .Validate(o => string.IsNullOrEmpty(o.ServerKey) || PublicKey.TryParse(o.ServerKey, out _), "PeerServ:ServerKey must be a public key in hex.")
            .ValidateDataAnnotations();

        var builder = services.AddHttpClient(HttpClientName, (sp, http) =>
        {
            var o = sp.GetRequiredService<IOptions<PeerServClientOptions>>().Value;
            http.BaseAddress = o.Relay;
            http.Timeout = o.Timeout;
        });
        services.AddTransient(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PeerServClientOptions>>().Value;
            return new PeerServClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), PrivateKey.FromHex(o.PrivateKey!), ServerKey(o));
        });
        builder.AddResilienceHandler("peerserv-retry", (pipeline, context) =>
            pipeline.AddRetry(PeerServClientPipeline.Retry(context.ServiceProvider.GetRequiredService<IOptions<PeerServClientOptions>>().Value)));
        builder.AddHttpMessageHandler(sp =>
        {
            var o = sp.GetRequiredService<IOptions<PeerServClientOptions>>().Value;
            return PeerServClientPipeline.Authenticator(PrivateKey.FromHex(o.PrivateKey!), o, ServerKey(o), inner: null);
        });
        return builder;
    }

    private static PublicKey? ServerKey(PeerServClientOptions options) => options.ServerKey is { Length: > 0 } pin ? PublicKey.Parse(pin) : null;
}
