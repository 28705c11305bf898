using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Polly;
using Polly.Retry;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace PeerServ.Gateway;

/// <summary>
/// YARP's DNS resolution of destinations (a compose service name stands for every replica's address), one destination
/// at a time: a name that does not resolve yet (a service not created) drops only that destination — its route
/// answers a retryable 503 until a later look finds it — instead of failing the gateway's start. A name that resolved
/// before and fails now (a DNS hiccup: the compose resolver timing out on a busy machine) keeps its last addresses
/// for up to <see cref="StaleFor"/>, so a refresh never empties a healthy route. A name that failed is looked up again
/// soon (1 s, doubling up to the refresh period), so a service that appears just after the gateway is found within
/// about a second.
/// </summary>
internal sealed partial class TolerantDnsResolver(IDestinationResolver dns, IOptionsMonitor<DnsDestinationResolverOptions> options, ILogger<TolerantDnsResolver> logger) : IDestinationResolver
{
    public static readonly TimeSpan DefaultRefreshPeriod = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    /// <summary>
    /// How long the addresses a name last resolved to stand in for it while it fails to resolve. A service that is
    /// really gone refuses connections at its old address, which the client sees as the same retryable 503 that no
    /// destination gives, so a long stand-in costs little and rides out a resolver that stalls for minutes.
    /// </summary>
    public static readonly TimeSpan StaleFor = TimeSpan.FromMinutes(5);

    /// <summary>Looks at one name per resolution before it counts as failed.</summary>
    internal const int Attempts = 3;

    internal static readonly TimeSpan BetweenAttempts = TimeSpan.FromMilliseconds(250);

    private static readonly ResiliencePipeline Looks = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = Attempts - 1,
            Delay = BetweenAttempts,
            BackoffType = DelayBackoffType.Constant,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
        })
        .Build();

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (IReadOnlyDictionary<string, DestinationConfig> Destinations, long At)> _lastGood = new(StringComparer.OrdinalIgnoreCase);

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
                var one = await ResolveOneAsync(dns, name, destination, cancellationToken);
                _failures.TryRemove(destination.Address, out _);
                _lastGood[name + "|" + destination.Address] = (one.Destinations, System.Diagnostics.Stopwatch.GetTimestamp());
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
                var stale = _lastGood.TryGetValue(name + "|" + destination.Address, out var last) && System.Diagnostics.Stopwatch.GetElapsedTime(last.At) < StaleFor;
                if (stale)
                {
                    foreach (var (key, value) in last.Destinations)
                    {
                        resolved[key] = value;
                    }
                }

                LogUnresolved(logger, name, destination.Address, stale ? "keeps its last addresses" : "its route answers 503 until it does", retry.TotalSeconds, e.GetBaseException().Message);
                changes.Add(RetryAfter(retry));
            }
        }

        return new ResolvedDestinationCollection(resolved, changes.Count == 1 ? changes[0] : new CompositeChangeToken(changes));
    }

    /// <summary>
    /// One destination, looked up again at once (<see cref="Attempts"/> in all, <see cref="BetweenAttempts"/> apart)
    /// when a look fails: a resolver that times out on a busy machine mostly answers the next query.
    /// </summary>
    private static ValueTask<ResolvedDestinationCollection> ResolveOneAsync(IDestinationResolver dns, string name, DestinationConfig destination, CancellationToken cancellationToken) =>
        Looks.ExecuteAsync(
            static (state, token) => state.dns.ResolveDestinationsAsync(state.one, token),
            (dns, one: (IReadOnlyDictionary<string, DestinationConfig>)new Dictionary<string, DestinationConfig> { [name] = destination }),
            cancellationToken);

    /// <summary>A change token that fires once, after <paramref name="delay"/>. Its source holds no timer (Task.Delay does, and ends with it), so nothing waits to be disposed.</summary>
    private static CancellationChangeToken RetryAfter(TimeSpan delay)
    {
        var source = new CancellationTokenSource();
        _ = Task.Delay(delay, CancellationToken.None).ContinueWith(
            static (_, state) => ((CancellationTokenSource)state!).Cancel(), source, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return new CancellationChangeToken(source.Token);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination {Destination} ({Address}) does not resolve; it {Meanwhile} (next look in {Seconds} s): {Reason}")]
    private static partial void LogUnresolved(ILogger logger, string destination, string address, string meanwhile, double seconds, string reason);
}
