using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>The interop suite against the standalone host, run as a real process.</summary>
public sealed class StandaloneInteropTests(StandaloneInteropTests.Host host) : IClassFixture<StandaloneInteropTests.Host>
{
    public static TheoryData<string> Cases() => InteropSuite.CaseNames();

    [Theory]
    [MemberData(nameof(Cases))]
    public Task RealClients_AgainstStandaloneHost(string @case) => host.Suite.AssertCaseAsync(@case);

    public sealed class Host : IAsyncLifetime
    {
        private readonly string _data = Directory.CreateTempSubdirectory("peerserv-interop-").FullName;
        private ServiceProcess _process = null!;

        public Host() => Suite = new InteropSuite(() => _process.Url);

        public InteropSuite Suite { get; }

        public async ValueTask InitializeAsync()
        {
            _process = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string> { ["Standalone__DataDirectory"] = _data });
            await _process.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }

        public async ValueTask DisposeAsync()
        {
            await _process.DisposeAsync();
            Directory.Delete(_data, recursive: true);
        }
    }
}

/// <summary>The interop suite through the gateway of the distributed stack.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class DistributedInteropTests(DistributedStack stack)
{
    public static TheoryData<string> Cases() => InteropSuite.CaseNames();

    [Theory]
    [MemberData(nameof(Cases))]
    public Task RealClients_ThroughGatewayOfDistributedStack(string @case) => stack.Interop.AssertCaseAsync(@case);
}

/// <summary>Live delivery across the distributed stack's two live replicas, seen from the replicas themselves.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class LiveReplicaTests(DistributedStack stack)
{
    [Fact]
    public async Task LiveListenersThroughTheGateway_LandOnBothReplicas_AndBothDeliver()
    {
        // The suite's case with four listeners and HTTP and socket sends to each: it passed only if every message arrived.
        await stack.Interop.AssertCaseAsync("live: listeners spread over the live replicas all get their messages, sent over HTTP and over sockets");

        var delivered = await Task.WhenAll(new[] { stack["live-1"], stack["live-2"] }.Select(p => p.MetricAsync("peerserv_live_delivered_total")));

        Assert.All(delivered, d => Assert.True(d > 0, $"a live replica delivered nothing: {string.Join(", ", delivered)}"));
    }
}
