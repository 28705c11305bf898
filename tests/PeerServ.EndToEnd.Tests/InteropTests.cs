using PeerServ.Auth.Crypto;
using PeerServ.Client.Live;
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

        /// <summary>The host's URL.</summary>
        public Uri Url => _process.Url;

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

    [Fact]
    public async Task SocketsOnDifferentReplicas_ThroughTheGateway_GetEachOthersSocketSendsAndHttpSends()
    {
        var ct = TestContext.Current.CancellationToken;
        var clients = new List<LiveClient>();
        try
        {
            // Connect through the gateway until two sessions carry different replica tags (sid "<tag>.<random>").
            for (var i = 0; i < 12 && clients.Select(Tag).Distinct().Count() < 2; i++)
            {
                clients.Add(await LiveClient.ConnectAsync(stack.Gateway.Url, PrivateKey.Generate(), stack.ServerKey.PublicKey, ct));
            }

            var first = clients[0];
            var other = clients.FirstOrDefault(c => Tag(c) != Tag(first));
            Assert.True(other is not null, $"every session landed on one replica: {string.Join(", ", clients.Select(c => c.SessionId))}");
            using var http = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());

            var ack = await first.SendAsync(other.Identity.Hex, "cross", "from a socket on the other replica", "x-1", ct);
            var pushed = await NextAsync(other, ct);
            var (sent, _) = await http.SendAsync(first.Identity.Hex, "cross", "over http", "x-2");
            var back = await NextAsync(first, ct);

            Assert.True(ack.Succeeded, ack.Description);
            Assert.Equal(("x-1", first.Identity.Hex, "from a socket on the other replica"), (pushed.MessageId, pushed.Sender, pushed.Body));
            Assert.Equal(System.Net.HttpStatusCode.OK, sent);
            Assert.Equal(("x-2", "over http"), (back.MessageId, back.Body));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static string Tag(LiveClient client) => client.SessionId.Split('.')[0];

    private static async Task<LiveMessage> NextAsync(LiveClient client, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        return await client.Messages.ReadAsync(timeout.Token);
    }
}
