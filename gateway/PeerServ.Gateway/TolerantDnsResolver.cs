using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace PeerServ.Gateway;

/// <summary>
/// YARP's DNS resolution of destinations (a compose service name stands for every replica's address), one destination
/// at a time: a name that does not resolve yet (a service not created, a DNS hiccup) drops only that destination —
/// its route answers 503 until the next refresh finds it — instead of failing the gateway's start.
/// </summary>
internal sealed partial class TolerantDnsResolver(IDestinationResolver dns, IOptionsMonitor<DnsDestinationResolverOptions> options, ILogger<TolerantDnsResolver> logger) : IDestinationResolver
{
    public static readonly TimeSpan DefaultRefreshPeriod = TimeSpan.FromSeconds(10);

    /// <summary>Resolves destinations with YARP's DNS resolver (an internal type), one at a time.</summary>
    public static IReverseProxyBuilder AddTolerantDnsDestinationResolver(IReverseProxyBuilder proxy, Action<DnsDestinationResolverOptions> configure)
    {
        proxy.AddDnsDestinationResolver(configure);
        var services = proxy.Services;
        var yarp = services.Last(d => d.ServiceType == typeof(IDestinationResolver));
        services.Remove(yarp);
        var type = yarp.ImplementationType ?? throw new InvalidOperationException("YARP's DNS destination resolver is registered without a type");
        services.AddSingleton(type);
        services.AddSingleton<IDestinationResolver>(sp => ActivatorUtilities.CreateInstance<TolerantDnsResolver>(sp, (IDestinationResolver)sp.GetRequiredService(type)));
        return proxy;
    }

    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var changes = new List<IChangeToken>();
        foreach (var (name, destination) in destinations)
        {
            try
            {
                var one = await dns.ResolveDestinationsAsync(new Dictionary<string, DestinationConfig> { [name] = destination }, cancellationToken);
                foreach (var (key, value) in one.Destinations)
                {
                    resolved[key] = value;
                }

                if (one.ChangeToken is not null)
                {
                    changes.Add(one.ChangeToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogUnresolved(logger, name, destination.Address, e.GetBaseException().Message);
                changes.Add(new CancellationChangeToken(new CancellationTokenSource(options.CurrentValue.RefreshPeriod ?? DefaultRefreshPeriod).Token));
            }
        }

        return new ResolvedDestinationCollection(resolved, changes.Count == 1 ? changes[0] : new CompositeChangeToken(changes));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination} ({Address}) does not resolve yet, its route answers 503 until it does: {Reason}")]
    private static partial void LogUnresolved(ILogger logger, string destination, string address, string reason);
}
