using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.E2E;

/// <summary>
/// Independent scaling, seen from inside the compose network: each service name resolves to as many replicas as
/// PEERSERV_E2E_REPLICAS says, each of them serves requests the gateway spreads, and a long-poll held by any
/// mailbox-query replica is woken by a send through any ingest replica. Replicas are told apart by their metrics.
/// </summary>
public sealed class ReplicaTests
{
    private const string Sent = "peerserv_messages_sent_total";
    private const string Listed = "peerserv_messages_listed_total";
    private const string Waiting = "peerserv_lists_waiting";

    [Fact]
    public async Task Ingest_EveryReplica_StoresSendsThroughTheGateway()
    {
        var replicas = await ExpectedReplicasAsync("ingest");
        using var alice = NewClient();
        using var bob = NewClient();

        var served = await DriveUntilEveryReplicaMovesAsync(replicas, Sent, async i =>
            Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(bob.Identity, "scale", $"m{i}", $"scale-{Guid.NewGuid():N}")).Status));

        Assert.All(served, s => Assert.True(s.Delta > 0, $"{s.Replica} stored nothing: {Describe(served)}"));
    }

    [Fact]
    public async Task MailboxQuery_EveryReplica_AnswersListsThroughTheGateway()
    {
        var replicas = await ExpectedReplicasAsync("mailbox-query");
        using var alice = NewClient();
        using var bob = NewClient();
        Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(bob.Identity, "scale", "one message")).Status);

        var served = await DriveUntilEveryReplicaMovesAsync(replicas, Listed, async _ => Assert.Single(await bob.ListAsync("scale")));

        Assert.All(served, s => Assert.True(s.Delta > 0, $"{s.Replica} listed nothing: {Describe(served)}"));
    }

    [Fact]
    public async Task LongPoll_HeldByAnyQueryReplica_WokenBySendThroughAnyIngestReplica()
    {
        var queries = await ExpectedReplicasAsync("mailbox-query");
        var ingests = await ExpectedReplicasAsync("ingest");
        using var alice = NewClient();
        using var bob = NewClient();
        var seen = new HashSet<(Replica Query, Replica Ingest)>();

        for (var round = 0; round < 60 && seen.Count < queries.Count * ingests.Count; round++)
        {
            var box = "wait-" + Guid.NewGuid().ToString("N")[..10];
            var sentBefore = await SnapshotAsync(ingests, Sent);
            var poll = bob.PostAsync("/listMessages", new { messageBox = box, waitSeconds = 25 });
            var holder = await HolderAsync(queries, poll);

            var woken = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(bob.Identity, box, "wake up")).Status);
            var (status, json) = await poll;

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("wake up", Assert.Single(json.GetProperty("messages").EnumerateArray()).Str("body"));
            Assert.True(woken.Elapsed < TimeSpan.FromSeconds(10), $"the long-poll on {holder} returned {woken.Elapsed} after the send");
            seen.Add((holder, await MovedAsync(ingests, Sent, sentBefore)));
        }

        Assert.Equal(queries.Count * ingests.Count, seen.Count);
    }

    private static RelayClient NewClient() => new(PrivateKey.Generate(), Target.Gateway, new SocketsHttpHandler());

    private static async Task<IReadOnlyList<Replica>> ExpectedReplicasAsync(string service)
    {
        var replicas = await Replica.AllAsync(service);
        Assert.True(replicas.Count == Target.Replicas[service], $"{service} resolves to {replicas.Count} replica(s) ({string.Join(", ", replicas)}), expected {Target.Replicas[service]}");
        return replicas;
    }

    /// <summary>The replica whose waiting-lists gauge shows the long-poll just started (the only one running).</summary>
    private static async Task<Replica> HolderAsync(IReadOnlyList<Replica> queries, Task poll)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            Assert.False(poll.IsCompleted, "the long-poll on an empty box returned before anything was sent");
            var waiting = await SnapshotAsync(queries, Waiting);
            if (waiting.Values.Sum() == 1)
            {
                return waiting.Single(w => w.Value == 1).Key;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no mailbox-query replica reported the long-poll as waiting within 15 s");
    }

    /// <summary>The one replica whose counter moved since <paramref name="before"/> (scrapes are cached for up to 300 ms).</summary>
    private static async Task<Replica> MovedAsync(IReadOnlyList<Replica> replicas, string metric, Dictionary<Replica, double> before)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var now = await SnapshotAsync(replicas, metric);
            var moved = replicas.Where(r => now[r] > before[r]).ToList();
            if (moved.Count > 0 || deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                return Assert.Single(moved);
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Runs requests through the gateway until each replica's counter has moved (at most 30 s).</summary>
    private static async Task<List<(Replica Replica, double Delta)>> DriveUntilEveryReplicaMovesAsync(IReadOnlyList<Replica> replicas, string metric, Func<int, Task> request)
    {
        var before = await SnapshotAsync(replicas, metric);
        var deadline = Stopwatch.StartNew();
        for (var i = 0; ; i++)
        {
            await request(i);
            var now = await SnapshotAsync(replicas, metric);
            var deltas = replicas.Select(r => (r, now[r] - before[r])).ToList();
            if (deltas.All(d => d.Item2 > 0) || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return deltas;
            }
        }
    }

    private static async Task<Dictionary<Replica, double>> SnapshotAsync(IReadOnlyList<Replica> replicas, string metric)
    {
        var values = await Task.WhenAll(replicas.Select(r => r.MetricAsync(metric)));
        return replicas.Zip(values).ToDictionary(p => p.First, p => p.Second);
    }

    private static string Describe(IEnumerable<(Replica Replica, double Delta)> served) => string.Join(", ", served.Select(s => $"{s.Replica} +{s.Delta}"));
}
