using System.Diagnostics;

namespace PeerServ.LoadGen;

/// <summary>
/// Paced mode: sends at a fixed total rate, open loop (the i-th send is due at start + i/rate whatever the earlier
/// ones are doing, round-robin over the identities), each timed from when it was due, so a stalled server shows as
/// latency rather than as a lower rate (no coordinated omission). Server CPU per request at that rate is what it measures;
/// a warm-up at the same rate comes first, and a drain lists and acknowledges everything for the ledger.
/// </summary>
internal sealed partial class LoadRun
{
    private async Task PacedAsync()
    {
        var sequences = new int[_identities.Length];
        if (options.Warmup > TimeSpan.Zero)
        {
            var warm = new Measurement("warmup", []);
            warm.Start();
            await PaceAsync(options.Warmup, warm, sequences, warmup: true);
            Console.WriteLine($"warmup     {warm.Stop().Requests} requests in {options.Warmup.TotalSeconds:F0} s at {options.Rate}/s (not counted)");
        }

        var confirmedBefore = _confirmed.Count;
        var paced = new Measurement("paced", options.ServerPids, options.OtherPids);
        paced.Start();
        var late = await PaceAsync(options.Duration, paced, sequences, warmup: false);
        paced.Messages = _confirmed.Count - confirmedBefore;
        _results.Add(paced.Stop());
        Console.WriteLine(_results[^1] + $"  (target {options.Rate}/s; {late} sends went more than 1 ms after they were due)");
        WriteBreakdown(_results[^1]);
        await PhaseAsync("drain", async (identity, m) =>
        {
            while (await ListAndAckAsync(identity, m, m, m) > 0)
            {
            }
        });
    }

    /// <returns>How many sends left later than 1 ms after they were due (the generator falling behind).</returns>
    private async Task<int> PaceAsync(TimeSpan length, Measurement m, int[] sequences, bool warmup)
    {
        var interval = 1.0 / options.Rate;
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        var late = 0;
        for (long i = 0; ; i++)
        {
            var due = started + (long)(i * interval * Stopwatch.Frequency);
            if (Stopwatch.GetElapsedTime(started, due) >= length || (!warmup && Volatile.Read(ref _sent) >= options.Messages))
            {
                break;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            else if (wait < -TimeSpan.FromMilliseconds(1))
            {
                late++;
            }

            var identity = _identities[i % _identities.Length];
            var sequence = warmup ? -1 - sequences[identity.Index]++ : sequences[identity.Index]++;
            if (!warmup)
            {
                Interlocked.Increment(ref _sent);
            }

            inFlight.Add(Task.Run(() => SendDueAsync(identity, sequence, m, due)));
            if (inFlight.Count > 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight);
        return late;
    }

    private Task SendDueAsync(Identity identity, int sequence, Measurement m, long due) =>
        SendAsync(identity, [.. Enumerable.Range(1, options.Recipients).Select(r => _identities[(identity.Index + r) % _identities.Length])], sequence, m, null, due);
}
