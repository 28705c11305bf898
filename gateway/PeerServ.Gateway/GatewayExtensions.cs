using PeerServ.Auth.Server;
using PeerServ.Gateway.OpenApi;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;
using Yarp.ReverseProxy.ServiceDiscovery;
using Yarp.ReverseProxy.Transforms;

namespace PeerServ.Gateway;

public static class GatewayExtensions
{
    /// <summary>
    /// Authentication (both protocols; refuses to start without Auth:ServerPrivateKey), the body limit of the relay
    /// before anything is forwarded, and YARP routes from the "ReverseProxy" section. Every forwarded request loses
    /// any identity header the client sent and carries the gateway's assertion of the verified identity instead.
    /// </summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var relay = builder.Configuration.GetSection(RelayOptions.SectionName).Get<RelayOptions>() ?? new RelayOptions();
        builder.Services.AddPeerServAuth(builder.Configuration, auth => auth.MaxRequestBodyBytes = relay.MaxRequestBytes);
        builder.Services.AddGatewayTrust(builder.Configuration);
        builder.Services.AddPublicApiDocument();
        var proxy = builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddTransforms(transforms => transforms.AddRequestTransform(context =>
            {
                var headers = context.ProxyRequest.Headers;
                foreach (var name in GatewayAssertion.Headers)
                {
                    headers.Remove(name);
                }

                if (context.HttpContext.GetPeerIdentity() is { } identity)
                {
                    var assertion = context.HttpContext.RequestServices.GetRequiredService<GatewayAssertion>();
                    var request = context.HttpContext.Request;
                    headers.TryAddWithoutValidation(GatewayAssertion.IdentityHeader, identity.IdentityKey.Hex);
                    headers.TryAddWithoutValidation(GatewayAssertion.ProtocolHeader, identity.Protocol.ToString());
                    headers.TryAddWithoutValidation(GatewayAssertion.AssertionHeader,
                        assertion.Create(identity, request.Method, request.Path.Value + request.QueryString.Value));
                }

                return ValueTask.CompletedTask;
            }));
        // A destination host name stands for every address it resolves to (compose replicas share one DNS name),
        // looked up again every Gateway:DnsDestinations:RefreshPeriod (default 10 s) so that scaling is followed.
        TolerantDnsResolver.AddTolerantDnsDestinationResolver(proxy, options =>
        {
            options.RefreshPeriod = TolerantDnsResolver.DefaultRefreshPeriod;
            builder.Configuration.GetSection("Gateway:DnsDestinations").Bind(options);
        });
        return builder;
    }
}
