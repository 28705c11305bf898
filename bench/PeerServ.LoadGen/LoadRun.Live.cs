using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Client.Live;

namespace PeerServ.LoadGen;

/// <summary>Live delivery: idle sockets held (memory per socket), and HTTP-send-to-socket latency at a fixed rate.</summary>
internal sealed class LiveRunResults
{
    public long RssBeforeBytes { get; set; }
    public long RssWithSocketsBytes { get; set; }
    public int Sockets { get; set; }
    public double ServerCpuSecondsPerSecondIdle { get; set; }
    public int Sent { get; set; }
    public int Delivered { get; set; }
    public int Lost { get; set; }
    public double DeliveryP50Ms { get; set; }
    public double DeliveryP99Ms { get; set; }
    public double DeliveryMaxMs { get; set; }
    public double AchievedRate { get; set; }
}

internal sealed partial class LoadRun
{
    private LiveRunResults? _live;

    /// <summary>Opens the sockets (64 handshakes at a time), holds them idle, and reports what the servers' RSS grew by.</summary>
    private async Task<int> LiveIdleAsync()
    {
        using var rss = new RssSampler(options.ServerPids);
        var before = rss.Current();
        var clients = new ConcurrentBag<LiveClient>();
        var connect = new Measurement("connect", options.ServerPids);
        connect.Start();
        var failures = 0;
        using (var gate = new SemaphoreSlim(64))
        {
            await Task.WhenAll(Enumerable.Range(0, options.Sockets).Select(async _ =>
            {
                await gate.WaitAsync();
                try
                {
                    clients.Add(await connect.TimeAsync(() => LiveClient.ConnectAsync(options.Url, PrivateKey.Generate())));
                }
                catch (Exception ex) when (ex is LiveClientException or System.Net.WebSockets.WebSocketException or TimeoutException or HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                    connect.Error();
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        connect.Messages = clients.Count;
        Report(connect.Stop());
        var idle = new Measurement("idle hold", options.ServerPids);
        idle.Start();
        await Task.Delay(options.Duration);
        var held = idle.Stop();
        var with = rss.Current();
        _results.Add(held);
        var stillOpen = clients.Count(c => c.Closed is null);
        _live = new LiveRunResults
        {
            RssBeforeBytes = before,
            RssWithSocketsBytes = with,
            Sockets = stillOpen,
            ServerCpuSecondsPerSecondIdle = (held.ServerCpuSeconds ?? 0) / held.Seconds,
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sockets    {stillOpen} authenticated and open after {options.Duration.TotalSeconds:F0} s idle ({failures} failed to connect); server RSS {Mib(before)} MiB before, {Mib(with)} MiB with them: {(with - before) / 1024.0 / Math.Max(1, stillOpen):F1} KiB per socket; server CPU while idle {_live.ServerCpuSecondsPerSecondIdle * 1000:F0} ms per second"));
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        WriteResults(new Verdict(stillOpen, options.Sockets - stillOpen, 0, 0, 0, failures));
        return failures == 0 && stillOpen == options.Sockets ? 0 : 1;
    }

    /// <summary>
    /// Listeners hold one socket each; HTTP senders send at a fixed total rate (open loop: a send is scheduled every
    /// 1/rate whatever the previous ones are doing), and each delivery is timed from its scheduled send time.
    /// </summary>
    private async Task<int> LiveDeliveryAsync(SocketsHttpHandler pool)
    {
        var listeners = new LiveClient[options.Identities];
        using (var gate = new SemaphoreSlim(32))
        {
            await Task.WhenAll(Enumerable.Range(0, listeners.Length).Select(async i =>
            {
                await gate.WaitAsync();
                try
                {
                    listeners[i] = await LiveClient.ConnectAsync(options.Url, PrivateKey.Generate());
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var senders = Enumerable.Range(0, options.Senders).Select(i => new Identity(10_000 + i, options.Url, options.Protocol, pool)).ToArray();
        await Task.WhenAll(senders.Select(s => s.HandshakeAsync()));
        var scheduled = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var receivers = listeners.Select(l => Task.Run(async () =>
        {
            await foreach (var message in l.Messages.ReadAllAsync(stop.Token))
            {
                if (scheduled.TryRemove(message.MessageId, out var at) && message.MessageId.StartsWith("measured-", StringComparison.Ordinal))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                }
            }
        })).ToArray();

        await PacedSendsAsync(listeners, senders, scheduled, options.Warmup, "warmup");
        var sends = new Measurement("  http send", options.ServerPids);
        sends.Start();
        var (sent, failed) = await PacedSendsAsync(listeners, senders, scheduled, options.Duration, "measured", sends);
        var sendResult = sends.Stop();
        // Whatever was sent is given 5 s to arrive; what has not by then counts as lost.
        for (var waited = 0; waited < 50 && !scheduled.IsEmpty; waited++)
        {
            await Task.Delay(100);
        }

        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        _live = new LiveRunResults
        {
            Sent = sent,
            Delivered = sorted.Length,
            Lost = sent - sorted.Length,
            DeliveryP50Ms = P(0.50),
            DeliveryP99Ms = P(0.99),
            DeliveryMaxMs = sorted.Length == 0 ? 0 : sorted[^1],
            AchievedRate = sent / sendResult.Seconds,
        };
        Report(sendResult);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"delivery   {sorted.Length} of {sent} sends delivered live ({_live.AchievedRate:F0}/s to {listeners.Length} sockets); from scheduled send to arrival p50 {_live.DeliveryP50Ms:F2} ms  p99 {_live.DeliveryP99Ms:F2} ms  max {_live.DeliveryMaxMs:F2} ms; {failed} sends failed"));
        await stop.CancelAsync();
        await Task.WhenAll(listeners.Select(l => l.DisposeAsync().AsTask()));
        try
        {
            await Task.WhenAll(receivers);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var sender in senders)
        {
            sender.Dispose();
        }

        WriteResults(new Verdict(sent, sent - sorted.Length, 0, 0, 0, failed));
        return failed == 0 && sent == sorted.Length && sent > 0 ? 0 : 1;
    }

    private async Task<(int Sent, int Failed)> PacedSendsAsync(LiveClient[] listeners, Identity[] senders, ConcurrentDictionary<string, long> scheduled, TimeSpan duration, string phase, Measurement? m = null)
    {
        var interval = TimeSpan.FromSeconds(1.0 / options.Rate);
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        var sent = 0;
        var failed = 0;
        for (var i = 0; Stopwatch.GetElapsedTime(started) < duration; i++)
        {
            // Open loop: the i-th send is due at started + i·interval; late ones go at once, timed from when they were due.
            var due = started + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var listener = listeners[Random.Shared.Next(listeners.Length)];
            var sender = senders[i % senders.Length];
            var id = $"{phase}-{i}";
            scheduled[id] = due;
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var request = new { message = new { recipient = listener.Identity.Hex, messageBox = "live-bench", messageId = id, body = "live " + id } };
                    var (status, _) = m is null ? await sender.PostAsync("/sendMessage", request) : await m.TimeAsync(() => sender.PostAsync("/sendMessage", request));
                    if (status == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref sent);
                    }
                    else
                    {
                        scheduled.TryRemove(id, out _);
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    scheduled.TryRemove(id, out _);
                    Interlocked.Increment(ref failed);
                }
            }));
            inFlight.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(inFlight);
        return (sent, failed);
    }

    private void WriteResults(Verdict verdict)
    {
        Console.WriteLine(verdict);
        if (options.Results is not null)
        {
            File.WriteAllText(options.Results, System.Text.Json.JsonSerializer.Serialize(new { options, machine = Environment.MachineName, cores = Environment.ProcessorCount, phases = _results, live = _live, verdict },
                Indented));
        }
    }
}
