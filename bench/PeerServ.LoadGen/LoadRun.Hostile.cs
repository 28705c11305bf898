using System.Diagnostics;
using System.Globalization;
using System.Net;
using PeerServ.Auth.Crypto;

namespace PeerServ.LoadGen;

/// <summary>The two hostile-load scenarios of the security review: large lists, and large multi-recipient sends beside small ones.</summary>
internal sealed partial class LoadRun
{
    /// <summary>
    /// Identities 1..N-1 fill identity 0's box; identity 0 then lists it with several concurrent requests per round
    /// while the servers' resident memory is sampled; finally it pages through and acknowledges everything.
    /// </summary>
    private async Task BigListAsync()
    {
        var owner = _identities[0];
        var fill = new Measurement("fill", options.ServerPids);
        fill.Start();
        var next = -1;
        await Task.WhenAll(_identities.Skip(1).Select(async sender =>
        {
            for (int sequence; (sequence = Interlocked.Increment(ref next)) < options.Messages;)
            {
                await SendAsync(sender, [owner], sequence, fill, null);
            }
        }));
        fill.Messages = _confirmed.Count;
        Report(fill.Stop());

        using var rss = new RssSampler(options.ServerPids);
        var before = rss.Current();
        var lists = new Measurement($"list x{options.Lists}", options.ServerPids);
        var listed = 0L;
        lists.Start();
        for (var round = 0; round < options.Rounds; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, options.Lists).Select(async _ =>
            {
                var (status, json) = await Try(lists, () => owner.PostAsync("/listMessages", new { messageBox = Identity.Box, limit = 1000 }));
                if (status == HttpStatusCode.OK)
                {
                    var page = json.GetProperty("messages").GetArrayLength();
                    lists.AddMessages(page);
                    Interlocked.Add(ref listed, page);
                }
            }));
        }

        Report(lists.Stop());
        var peak = rss.Peak;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"server RSS  before the lists {Mib(before)} MiB, peak while listing {Mib(peak)} MiB (+{Mib(peak - before)} MiB), peak since start (VmHWM) {Mib(RssSampler.HighWaterMark(options.ServerPids))} MiB; {listed / (double)(options.Lists * options.Rounds):F1} messages per page"));
        _memory = new MemoryResult(before, peak, RssSampler.HighWaterMark(options.ServerPids), listed / (double)(options.Lists * options.Rounds));

        var verify = new Measurement("page all", options.ServerPids);
        verify.Start();
        await ListAllAsync(owner, verify);
        Report(verify.Stop());
        var ack = new Measurement("ack", options.ServerPids);
        ack.Start();
        await AckAllAsync(owner, ack);
        Report(ack.Stop());
    }

    /// <summary>
    /// Small senders at a steady pace, first alone, then while large senders push large bodies to many throw-away
    /// recipients back to back: the small sends' latency in both phases is the point.
    /// </summary>
    private async Task LargeSendsAsync()
    {
        using var pool = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        var large = Enumerable.Range(0, options.LargeSenders).Select(i => new Identity(_identities.Length + i, options.Url, options.Protocol, pool)).ToArray();
        await Task.WhenAll(large.Select(identity => identity.HandshakeAsync()));
        var body = new string('x', options.LargeBytes);
        var sequence = 0;

        await SmallSendsAsync("small alone", 0, null);
        using var stop = new CancellationTokenSource();
        var big = new Measurement($"large x{options.LargeRecipients}", options.ServerPids);
        var refused = 0;
        big.Start();
        var largeLoad = Task.WhenAll(large.Select(async sender =>
        {
            while (!stop.IsCancellationRequested)
            {
                var recipients = Enumerable.Range(0, options.LargeRecipients).Select(_ => PrivateKey.Generate().PublicKey.Hex).ToArray();
                var request = new { message = new { recipients, messageBox = Identity.Box, body, messageId = recipients.Select(_ => $"large-{Interlocked.Increment(ref sequence)}").ToArray() } };
                var (status, _) = await big.TimeAsync(() => sender.PostAsync("/sendMessage", request));
                if (status == HttpStatusCode.OK)
                {
                    big.AddMessages(recipients.Length);
                }
                else if (status == HttpStatusCode.TooManyRequests)
                {
                    // A quota (the sender's bytes per window) refused it: that is the defence, counted apart.
                    Interlocked.Increment(ref refused);
                    await Task.Delay(options.Pace);
                }
                else
                {
                    big.Error();
                }
            }
        }));
        await SmallSendsAsync("small+large", 1_000_000, big);
        await stop.CancelAsync();
        await largeLoad;
        Report(big.Stop());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"large sends refused by a quota (429): {refused}"));

        await PhaseAsync("drain", async (identity, m) =>
        {
            while (await ListAndAckAsync(identity, m, m, m) > 0)
            {
            }
        });
        foreach (var identity in large)
        {
            identity.Dispose();
        }
    }

    private async Task SmallSendsAsync(string phase, int firstSequence, Measurement? beside)
    {
        var sends = new Measurement(phase, beside is null ? options.ServerPids : []);
        var others = new Measurement("  list/ack", []);
        var confirmedBefore = _confirmed.Count;
        sends.Start();
        others.Start();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(_identities.Select(async identity =>
        {
            for (var sequence = firstSequence; clock.Elapsed < options.Duration; sequence++)
            {
                await SendOneAsync(identity, sequence, sends, null);
                if (sequence % options.SteadyListEvery == 0)
                {
                    await ListAndAckAsync(identity, others, others, others);
                }

                await Task.Delay(options.Pace);
            }
        }));
        sends.Messages = _confirmed.Count - confirmedBefore;
        Report(sends.Stop());
        Report(others.Stop());
    }

    private MemoryResult? _memory;

    private void Report(PhaseResult result)
    {
        _results.Add(result);
        Console.WriteLine(result);
    }

    private static long Mib(long bytes) => bytes >> 20;
}

/// <summary>Resident memory of the server processes, summed, sampled every 10 ms from /proc/PID/status.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly IReadOnlyList<int> _pids;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public RssSampler(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _peak = Current();
        _sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                var now = Current();
                if (now > Volatile.Read(ref _peak))
                {
                    Volatile.Write(ref _peak, now);
                }
            }
        });
    }

    public long Peak => Math.Max(Volatile.Read(ref _peak), Current());

    public long Current() => Sum(_pids, "VmRSS:");

    public static long HighWaterMark(IReadOnlyList<int> pids) => Sum(pids, "VmHWM:");

    private static long Sum(IReadOnlyList<int> pids, string field) => pids.Sum(pid =>
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    });

    public void Dispose()
    {
        _stop.Cancel();
        _sampling.Wait();
        _stop.Dispose();
    }
}

/// <summary>The servers' resident memory around the concurrent lists of the big-list scenario.</summary>
internal sealed record MemoryResult(long RssBeforeBytes, long RssPeakBytes, long HighWaterMarkBytes, double MessagesPerPage);
