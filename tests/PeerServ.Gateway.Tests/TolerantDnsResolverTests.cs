using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace PeerServ.Gateway.Tests;

/// <summary>A destination that does not resolve costs only itself, and is looked for again soon.</summary>
public sealed class TolerantDnsResolverTests
{
    [Fact]
    public async Task Resolve_OneNameUnknown_KeepsTheOthersAndLooksAgainWithinAboutASecond()
    {
        var dns = new FakeDns("ack");
        var resolver = new TolerantDnsResolver(dns, new StaticOptions(new DnsDestinationResolverOptions { RefreshPeriod = TimeSpan.FromSeconds(30) }), NullLogger<TolerantDnsResolver>.Instance);
        var destinations = new Dictionary<string, DestinationConfig>
        {
            ["ingest"] = new() { Address = "http://ingest:8080" },
            ["ack"] = new() { Address = "http://ack:8080" },
        };

        var resolved = await resolver.ResolveDestinationsAsync(destinations, TestContext.Current.CancellationToken);
        var fired = new TaskCompletionSource();
        var clock = Stopwatch.StartNew();
        using var registration = resolved.ChangeToken!.RegisterChangeCallback(_ => fired.TrySetResult(), null);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(["ingest"], resolved.Destinations.Keys);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Resolve_NameFoundLater_IsIncludedThen()
    {
        var dns = new FakeDns("ack");
        var resolver = new TolerantDnsResolver(dns, new StaticOptions(new DnsDestinationResolverOptions()), NullLogger<TolerantDnsResolver>.Instance);
        var destinations = new Dictionary<string, DestinationConfig> { ["ack"] = new() { Address = "http://ack:8080" } };

        var first = await resolver.ResolveDestinationsAsync(destinations, TestContext.Current.CancellationToken);
        dns.Unknown.Clear();
        var second = await resolver.ResolveDestinationsAsync(destinations, TestContext.Current.CancellationToken);

        Assert.Empty(first.Destinations);
        Assert.Equal("http://10.0.0.1:8080", Assert.Single(second.Destinations).Value.Address);
    }

    [Fact]
    public async Task Resolve_NameThatResolvedBefore_FailsNow_KeepsItsLastAddresses()
    {
        var dns = new FakeDns();
        var resolver = new TolerantDnsResolver(dns, new StaticOptions(new DnsDestinationResolverOptions()), NullLogger<TolerantDnsResolver>.Instance);
        var destinations = new Dictionary<string, DestinationConfig> { ["permissions"] = new() { Address = "http://permissions:8080" } };

        var first = await resolver.ResolveDestinationsAsync(destinations, TestContext.Current.CancellationToken);
        dns.Unknown.Add("permissions");
        var hiccup = await resolver.ResolveDestinationsAsync(destinations, TestContext.Current.CancellationToken);

        Assert.Equal("http://10.0.0.1:8080", Assert.Single(first.Destinations).Value.Address);
        Assert.Equal(first.Destinations, hiccup.Destinations);
        Assert.NotNull(hiccup.ChangeToken);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task Resolve_LookTimesOut_IsTriedAgainAtOnce_UpToThreeLooks(int failures, bool resolved)
    {
        var dns = new FakeDns { FailNext = failures };
        var resolver = new TolerantDnsResolver(dns, new StaticOptions(new DnsDestinationResolverOptions()), NullLogger<TolerantDnsResolver>.Instance);
        var destinations = new Dictionary<string, DestinationConfig> { ["permissions"] = new() { Address = "http://permissions:8080" } };

        var result = await resolver.ResolveDestinationsAsync(destinations, TestContext.Current.CancellationToken);

        Assert.Equal(resolved ? 1 : 0, result.Destinations.Count);
        Assert.Equal(Math.Min(failures + 1, TolerantDnsResolver.Attempts), dns.Looks);
    }

    /// <summary>Resolves every host to 10.0.0.1, except the unknown ones; the next <see cref="FailNext"/> looks time out.</summary>
    private sealed class FakeDns(params string[] unknown) : IDestinationResolver
    {
        public HashSet<string> Unknown { get; } = [.. unknown];

        public int FailNext { get; set; }

        public int Looks { get; private set; }

        public ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
        {
            Looks++;
            var (name, destination) = destinations.Single();
            var host = new Uri(destination.Address).Host;
            if (FailNext > 0)
            {
                FailNext--;
                throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.TryAgain);
            }

            if (Unknown.Contains(host))
            {
                throw new System.Net.Sockets.SocketException(11001);
            }

            var address = destination.Address.Replace(host, "10.0.0.1", StringComparison.Ordinal);
            return ValueTask.FromResult(new ResolvedDestinationCollection(new Dictionary<string, DestinationConfig> { [name] = destination with { Address = address } }, null));
        }
    }

    private sealed class StaticOptions(DnsDestinationResolverOptions value) : IOptionsMonitor<DnsDestinationResolverOptions>
    {
        public DnsDestinationResolverOptions CurrentValue => value;

        public DnsDestinationResolverOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<DnsDestinationResolverOptions, string?> listener) => null;
    }
}
