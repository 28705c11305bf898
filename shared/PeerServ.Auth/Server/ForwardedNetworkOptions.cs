using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerServ.Relay.Options;

namespace PeerServ.Auth.Server;

/// <summary>
/// Configuration section "ForwardedHeaders": the reverse proxies (an ingress controller, a load balancer) whose
/// X-Forwarded-For the relay believes. Only a request from one of them has its client address taken from that header,
/// so per-address limits see each client, not the proxy; from anyone else the header is ignored. Empty (the default):
/// no proxy is trusted and the socket's address is the client's.
/// </summary>
public sealed class ForwardedNetworkOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>CIDR ranges of trusted proxies, e.g. "10.0.0.0/8" (a cluster's pod network).</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>Addresses of trusted proxies, e.g. "192.0.2.10".</summary>
    public IList<string> KnownProxies { get; } = [];

    public bool Enabled => KnownNetworks.Count > 0 || KnownProxies.Count > 0;

    internal static IServiceCollection AddForwardedNetworks(IServiceCollection services)
    {
        services.AddValidatedOptions<ForwardedNetworkOptions>(SectionName)
            .Validate(o => o.KnownNetworks.All(n => IPNetwork.TryParse(n, out _)), "ForwardedHeaders:KnownNetworks (ForwardedHeaders__KnownNetworks__0, …) must be CIDR ranges such as 10.0.0.0/8.")
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "ForwardedHeaders:KnownProxies (ForwardedHeaders__KnownProxies__0, …) must be IP addresses.");
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedNetworkOptions>>((forwarded, configured) =>
        {
            // Only what is configured: ASP.NET Core's default trusts loopback, which would let any local client name its address.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.ForwardLimit = 1;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var network in configured.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network));
            }

            foreach (var proxy in configured.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return services;
    }
}
