using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;

namespace PeerServ.Client;

/// <summary>
/// The handler chain of a client: retries outside, authentication inside, so that every attempt is signed afresh
/// (a signed request is single-use). An authentication failure is never retried.
/// </summary>
internal static class PeerServClientPipeline
{
    public static HttpMessageHandler Build(PrivateKey key, PeerServClientOptions options, PublicKey? serverKey, HttpMessageHandler inner)
    {
        var auth = Authenticator(key, options, serverKey, inner);
        if (options.MaxRetries == 0)
        {
            return auth;
        }

        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(Retry(options)).Build();
#pragma warning disable EXTEXP0001 // ResilienceHandler is the package's handler for a pipeline built by hand
        return new ResilienceHandler(pipeline) { InnerHandler = auth };
#pragma warning restore EXTEXP0001
    }

    /// <summary>The protocol's authenticating handler over <paramref name="inner"/>; with none, one for IHttpClientFactory's pipeline.</summary>
    public static DelegatingHandler Authenticator(PrivateKey key, PeerServClientOptions options, PublicKey? serverKey, HttpMessageHandler? inner) =>
        (options.Protocol, inner) switch
        {
            (PeerServProtocol.Authrite, null) => AuthriteClientHandler.ForHandlerPipeline(key),
            (PeerServProtocol.Authrite, _) => new AuthriteClientHandler(key, inner),
            (_, null) => Brc104ClientHandler.ForHandlerPipeline(key, serverKey),
            _ => new Brc104ClientHandler(key, inner, serverKey),
        };

    public static HttpRetryStrategyOptions Retry(PeerServClientOptions options) => new()
    {
        MaxRetryAttempts = Math.Max(1, options.MaxRetries),
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = options.RetryDelay,
        ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome)),
    };

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: PeerServAuthException } => false,
        { Exception: HttpRequestException or TimeoutException } => true,
        { Result.StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };
}
