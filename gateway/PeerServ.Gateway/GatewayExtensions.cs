using Microsoft.Extensions.Options;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using PeerServ.Gateway.OpenApi;
using PeerServ.Relay;
using PeerServ.Relay.Options;
using PeerServ.ServiceDefaults.OpenApi;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace PeerServ.Gateway;

public static class GatewayExtensions
{
    /// <summary>
    /// Authentication (both protocols; refuses to start without Auth:ServerPrivateKey) within the largest body a relay
    /// endpoint accepts, before anything is forwarded; YARP routes from the "ReverseProxy" section, every forwarded
    /// request carrying the gateway's assertion of the verified identity (<see cref="IdentityAssertionTransform"/>).
    /// </summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPeerServAuth();
        builder.Services.AddOptions<PeerServAuthOptions>()
            .Configure<IOptions<RelayOptions>>((auth, relay) => auth.MaxRequestBodyBytes = relay.Value.MaxRequestBytes);
        builder.Services.AddGatewayAssertion();
        builder.Services.AddRelayApiDocument(options => options.AddDocumentTransformer<ProxiedRoutesOpenApiTransformer>());
        var proxy = builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms<IdentityAssertionTransform>()
            .AddTransforms<LiveAffinity.Transform>();
        // A destination host name stands for every address it resolves to (compose replicas share one DNS name),
        // looked up again every Gateway:DnsDestinations:RefreshPeriod (default 10 s) so that scaling is followed.
        TolerantDnsResolver.AddTolerantDnsDestinationResolver(proxy, options => options.RefreshPeriod = TolerantDnsResolver.DefaultRefreshPeriod);
        builder.Services.AddValidatedOptions<DnsDestinationResolverOptions>("Gateway:DnsDestinations")
            .Validate(o => o.RefreshPeriod is null || o.RefreshPeriod >= TimeSpan.FromSeconds(1),
                "Gateway:DnsDestinations:RefreshPeriod (Gateway__DnsDestinations__RefreshPeriod) must be at least 00:00:01.");
        return builder;
    }
}
