using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace PeerServ.Gateway;

/// <summary>
/// YARP's DNS resolution of destinations (a compose service name stands for every replica's address), one destination
/// at a time: a name that does not resolve yet (a service not created, a DNS hiccup) drops only that destination —
/// its route answers a retryable 503 until a later look finds it — instead of failing the gateway's start. A name that
/// failed is looked up again soon (1 s, doubling up to the refresh period), so a service that appears just after the
/// gateway is found within about a second.
/// </summary>
internal sealed partial class TolerantDnsResolver(IDestinationResolver dns, IOptionsMonitor<DnsDestinationResolverOptions> options, ILogger<TolerantDnsResolver> logger) : IDestinationResolver
{
    public static readonly TimeSpan DefaultRefreshPeriod = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _failures = new(StringComparer.OrdinalIgnoreCase);

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
                _failures.TryRemove(destination.Address, out _);
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
                var failures = _failures.AddOrUpdate(destination.Address, 1, (_, n) => Math.Min(n + 1, 16));
                var refresh = options.CurrentValue.RefreshPeriod ?? DefaultRefreshPeriod;
                var retry = TimeSpan.FromTicks(Math.Min(refresh.Ticks, FirstRetry.Ticks << (failures - 1)));
                LogUnresolved(logger, name, destination.Address, retry.TotalSeconds, e.GetBaseException().Message);
                changes.Add(RetryAfter(retry));
            }
        }

        return new ResolvedDestinationCollection(resolved, changes.Count == 1 ? changes[0] : new CompositeChangeToken(changes));
    }

    /// <summary>A change token that fires once, after <paramref name="delay"/>. Its source holds no timer (Task.Delay does, and ends with it), so nothing waits to be disposed.</summary>
    private static CancellationChangeToken RetryAfter(TimeSpan delay)
    {
        var source = new CancellationTokenSource();
        _ = Task.Delay(delay, CancellationToken.None).ContinueWith(
            static (_, state) => ((CancellationTokenSource)state!).Cancel(), source, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new CancellationChangeToken(source.Token);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination} ({Address}) does not resolve yet; its route answers 503 until it does (next look in {Seconds} s): {Reason}")]
    private static partial void LogUnresolved(ILogger logger, string destination, string address, double seconds, string reason);
}
