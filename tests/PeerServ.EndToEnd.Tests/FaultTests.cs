using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// The distributed stack when parts fail: a service or the gateway killed with SIGKILL under load and restarted,
/// the broker stopped during sends, the store unreachable. Bounded in time and message count.
/// </summary>
public sealed class FaultTests(FaultStack faults) : IClassFixture<FaultStack>
{
    private StackProcesses Stack => faults.Stack;

    [Theory]
    [InlineData("ingest")]
    [InlineData("mailbox-query-1")]
    [InlineData("ack")]
    [InlineData("gateway")]
    public async Task KillDashNine_UnderLoadThenRestart_NothingConfirmedIsLostNothingAcknowledgedReturns(string victim)
    {
        var workers = Enumerable.Range(0, 4).Select(_ => new LoadWorker(PrivateKey.Generate(), Stack.Gateway.Url)).ToList();
        using var stop = new CancellationTokenSource();
        var load = workers.Select(w => Task.Run(() => w.RunAsync(stop.Token))).ToList();

        await WaitUntil(() => workers.Sum(w => w.Sent.Count) >= 40, TimeSpan.FromSeconds(30));
        await Stack[victim].KillHardAsync();
        await Task.Delay(1000);
        await Stack.RestartAsync(victim);
        var afterRestart = workers.Sum(w => w.Sent.Count);
        await WaitUntil(() => workers.Sum(w => w.Sent.Count) >= afterRestart + 40, TimeSpan.FromSeconds(60));
        stop.Cancel();
        await Task.WhenAll(load);

        foreach (var worker in workers)
        {
            await worker.VerifyAsync();
        }
    }

    [Fact]
    public async Task SigTerm_ToIngestDuringABurst_EveryRequestAnswered200Or503NeverReset()
    {
        var outcomes = new ConcurrentBag<string>();
        var confirmed = new ConcurrentBag<(RelayClient Client, string Id)>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 8).Select(_ => new RelayClient(PrivateKey.Generate(), Stack.Gateway.Url, new SocketsHttpHandler())).ToList();
        var burst = clients.Select((client, c) => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var (status, json) = await client.SendAsync(client.Identity, "sigterm", $"{c}/{i}", $"t{c}-{i}");
                    outcomes.Add(status == HttpStatusCode.ServiceUnavailable ? $"503 {json.Code()}" : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    if (status == HttpStatusCode.OK)
                    {
                        confirmed.Add((client, $"t{c}-{i}"));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    outcomes.Add("exception: " + ex.Message);
                }
            }
        })).ToList();

        await WaitUntil(() => outcomes.Count(o => o == "200") >= 40, TimeSpan.FromSeconds(30));
        await Stack.Ingest.TerminateAsync(TimeSpan.FromSeconds(40));
        var exitCode = Stack.Ingest.ExitCode;
        await Task.Delay(500);
        await Stack.RestartAsync("ingest");
        var before = outcomes.Count(o => o == "200");
        await WaitUntil(() => outcomes.Count(o => o == "200") >= before + 20, TimeSpan.FromSeconds(30));
        stop.Cancel();
        await Task.WhenAll(burst);

        Assert.Equal(0, exitCode);
        var unexpected = outcomes.Where(o => o != "200" && o != "503 ERR_SERVICE_UNAVAILABLE").ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {outcomes.Count} answers were neither 200 nor a retryable 503: {string.Join(" | ", unexpected.Distinct().Take(5))}");
        foreach (var group in confirmed.GroupBy(c => c.Client))
        {
            var listed = (await group.Key.ListAsync("sigterm")).Select(m => m.Str("messageId")).ToHashSet();
            var lost = group.Select(c => c.Id).Where(id => !listed.Contains(id)).ToList();
            Assert.True(lost.Count == 0, $"confirmed but not listed: {string.Join(", ", lost)}");
        }

        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Broker_StoppedDuringSends_SendsAnswered200AndEventsPublishedOnceItIsBack()
    {
        using var alice = new RelayClient(PrivateKey.Generate(), Stack.Gateway.Url, new SocketsHttpHandler());
        using var bob = new RelayClient(PrivateKey.Generate(), Stack.Gateway.Url, new SocketsHttpHandler());
        var publishedBefore = await Stack.Ingest.MetricAsync("peerserv_events_published_total", "MessageSent");

        await faults.StopRabbitAsync();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            var (status, json) = await alice.SendAsync(alice.Identity, "outage", $"during outage {i}", $"o{i}");
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            Assert.True(status == HttpStatusCode.OK, $"send {i} during the outage: {(int)status} {json}");
        }

        var listedDuringOutage = await alice.ListAsync("outage");
        var publishedDuringOutage = await Stack.Ingest.MetricAsync("peerserv_events_published_total", "MessageSent");
        await faults.StartRabbitAsync();

        // The outbox publishes what the outage held back (confirmed by the broker)…
        await WaitUntilAsync(async () => await Stack.Ingest.MetricAsync("peerserv_events_published_total", "MessageSent") >= publishedBefore + 20, TimeSpan.FromSeconds(90));
        // …and the consumers are back: a new message wakes a waiting list through the broker again.
        await WaitUntilAsync(async () =>
        {
            var waiting = bob.PostAsync("/listMessages", new { messageBox = "after-outage", waitSeconds = 5 });
            await Task.Delay(300);
            await alice.SendAsync(bob.Identity, "after-outage", "wake", "w-" + Guid.NewGuid().ToString("N")[..6]);
            var (status, json) = await waiting;
            var woke = status == HttpStatusCode.OK && json.GetProperty("messages").GetArrayLength() > 0;
            foreach (var m in json.GetProperty("messages").EnumerateArray())
            {
                await bob.AckAsync(m.Str("messageId"));
            }

            return woke;
        }, TimeSpan.FromSeconds(90));

        Assert.Equal(20, listedDuringOutage.Length);
        Assert.Equal(publishedBefore, publishedDuringOutage);
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"a send took {slowest} while the broker was down");
    }

    [Fact]
    public async Task Store_Unreachable_Quick503ThenRecoversByItself()
    {
        using var alice = new RelayClient(PrivateKey.Generate(), Stack.Gateway.Url, new SocketsHttpHandler());
        Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(alice.Identity, "store", "before", "s0")).Status);

        await faults.StopMongoAsync();
        var clock = Stopwatch.StartNew();
        var (sendStatus, sendJson) = await alice.SendAsync(alice.Identity, "store", "during", "s1");
        var sendTook = clock.Elapsed;
        var (listStatus, listJson) = await alice.PostAsync("/listMessages", new { messageBox = "store" });
        var (ackStatus, ackJson) = await alice.AckAsync("s0");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ERR_SERVICE_UNAVAILABLE"), (sendStatus, sendJson.Code()));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ERR_SERVICE_UNAVAILABLE"), (listStatus, listJson.Code()));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ERR_SERVICE_UNAVAILABLE"), (ackStatus, ackJson.Code()));
        Assert.True(sendTook < TimeSpan.FromSeconds(10), $"the 503 took {sendTook}");

        // The test server keeps data in memory: it comes back empty, which is enough to show the services reconnect.
        await faults.StartMongoAsync();
        await WaitUntilAsync(async () => (await alice.SendAsync(alice.Identity, "store", "after", "s2")).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        var after = await alice.ListAsync("store");
        Assert.Equal(["after"], after.Select(m => m.Str("body")));
        Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(alice.Identity, "store", "after", "s2")).Status);
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"condition not reached within {timeout}");
            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(clock.Elapsed < timeout, $"condition not reached within {timeout}");
            await Task.Delay(250);
        }
    }

    /// <summary>One identity sending to itself, listing and acknowledging, remembering what the relay confirmed.</summary>
    private sealed class LoadWorker(PrivateKey key, Uri gateway)
    {
        private readonly string _box = "load-" + Guid.NewGuid().ToString("N")[..8];

        public ConcurrentBag<string> Sent { get; } = [];

        public HashSet<string> Acknowledged { get; } = [];

        public HashSet<string> MaybeAcknowledged { get; } = [];

        public async Task RunAsync(CancellationToken stop)
        {
            using var client = new RelayClient(key, gateway, new SocketsHttpHandler());
            for (var i = 0; !stop.IsCancellationRequested && i < 2000; i++)
            {
                try
                {
                    var (status, _) = await client.SendAsync(client.Identity, _box, $"m{i}", $"id{i}");
                    if (status == HttpStatusCode.OK)
                    {
                        Sent.Add($"id{i}");
                    }

                    if (i % 5 == 4)
                    {
                        var (listStatus, listed) = await client.PostAsync("/listMessages", new { messageBox = _box, limit = 3 });
                        if (listStatus != HttpStatusCode.OK)
                        {
                            continue;
                        }

                        var ids = listed.GetProperty("messages").EnumerateArray().Select(m => m.Str("messageId")).ToArray();
                        if (ids.Length == 0)
                        {
                            continue;
                        }

                        MaybeAcknowledged.UnionWith(ids);
                        var (ackStatus, _) = await client.AckAsync(ids);
                        if (ackStatus == HttpStatusCode.OK)
                        {
                            Acknowledged.UnionWith(ids);
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // a request in flight when a process died: the client sees an error, nothing else
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }

        public async Task VerifyAsync()
        {
            using var client = new RelayClient(key, gateway, new SocketsHttpHandler());
            var (status, json) = await client.PostAsync("/listMessages", new { messageBox = _box, limit = 1000 });
            Assert.Equal(HttpStatusCode.OK, status);
            var listed = json.GetProperty("messages").EnumerateArray().Select(m => m.Str("messageId")).ToList();
            Assert.Equal(listed.Count, listed.Distinct().Count());
            var reappeared = listed.Intersect(Acknowledged).ToList();
            Assert.True(reappeared.Count == 0, $"acknowledged messages reappeared: {string.Join(", ", reappeared)}");
            var lost = Sent.Except(listed).Except(MaybeAcknowledged).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {Sent.Count} confirmed messages were lost: {string.Join(", ", lost.Take(10))}");
        }
    }
}
