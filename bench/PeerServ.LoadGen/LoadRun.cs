using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace PeerServ.LoadGen;

/// <summary>Runs the phases (or the steady-state loop), keeps a ledger of what was confirmed, and checks it at the end.</summary>
internal sealed partial class LoadRun(LoadOptions options)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly ConcurrentDictionary<(int Recipient, string Id), int> _confirmed = new();
    private readonly ConcurrentDictionary<(int Recipient, string Id), int> _seen = new();
    private readonly List<PhaseResult> _results = [];
    private int _misattributed;
    private int _sent;
    private Identity[] _identities = [];

    public async Task<int> RunAsync()
    {
        using var pool = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10), MaxConnectionsPerServer = 256 };
        _identities = [.. Enumerable.Range(0, options.Identities).Select(i => new Identity(i, options.Url, options.Protocol, pool))];
        Console.WriteLine($"{options.Identities} identities, {options.Protocol}, {options.Mode}, {options.Messages} messages of {options.BodyBytes} bytes to {options.Recipients} recipient(s), against {options.Url}");

        if (options.Mode is "live-idle" or "live-delivery")
        {
            return options.Mode == "live-idle" ? await LiveIdleAsync() : await LiveDeliveryAsync(pool);
        }

        await PhaseAsync("handshake", async (identity, m) => await m.TimeAsync(async () => { await identity.HandshakeAsync(); return 0; }));
        if (options.Mode == "steady")
        {
            await SteadyAsync();
        }
        else if (options.Mode == "paced")
        {
            await PacedAsync();
        }
        else if (options.Mode == "big-list")
        {
            await BigListAsync();
        }
        else if (options.Mode == "large-sends")
        {
            await LargeSendsAsync();
        }
        else
        {
            await PhaseAsync("send", SendShareAsync);
            await PhaseAsync("list", ListAllAsync);
            await PhaseAsync("ack", AckAllAsync);
        }

        await PhaseAsync("verify", ListAllAsync);
        return Report();
    }

    private async Task SteadyAsync()
    {
        if (options.Warmup > TimeSpan.Zero)
        {
            // Same load, not measured: the server's JIT, pools and caches reach their steady state first.
            var warm = new Measurement("warmup", []);
            var warmClock = Stopwatch.StartNew();
            await Task.WhenAll(_identities.Select(async identity =>
            {
                for (var sequence = -1; warmClock.Elapsed < options.Warmup; sequence--)
                {
                    await SendOneAsync(identity, sequence, warm, null);
                    if (sequence % options.SteadyListEvery == 0)
                    {
                        await ListAndAckAsync(identity, warm, warm, warm);
                    }
                }
            }));
            Console.WriteLine($"warmup     {warm.Stop().Requests} requests in {options.Warmup.TotalSeconds:F0} s (not counted)");
        }

        var confirmedBefore = _confirmed.Count;
        var all = new Measurement("steady", options.ServerPids, options.OtherPids);
        var send = new Measurement("  send", []);
        var list = new Measurement("  list", []);
        var ack = new Measurement("  ack", []);
        foreach (var m in new[] { all, send, list, ack })
        {
            m.Start();
        }

        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(_identities.Select(async identity =>
        {
            for (var sequence = 0; deadline.Elapsed < options.Duration && Interlocked.Increment(ref _sent) <= options.Messages; sequence++)
            {
                await SendOneAsync(identity, sequence, send, all);
                if (sequence % options.SteadyListEvery == options.SteadyListEvery - 1)
                {
                    await ListAndAckAsync(identity, list, ack, all);
                }
            }
        }));
        send.Messages = _confirmed.Count - confirmedBefore;
        all.Messages = _confirmed.Count - confirmedBefore;
        _results.AddRange([all.Stop(), send.Stop(), list.Stop(), ack.Stop()]);
        Console.WriteLine(string.Join(Environment.NewLine, _results.TakeLast(4)));
        WriteBreakdown(_results[^4]);
        await PhaseAsync("drain", async (identity, m) =>
        {
            while (await ListAndAckAsync(identity, m, m, m) > 0)
            {
            }
        });
    }

    private async Task SendShareAsync(Identity identity, Measurement m)
    {
        var deadline = Stopwatch.StartNew();
        var share = options.Messages / options.Identities + (identity.Index < options.Messages % options.Identities ? 1 : 0);
        for (var sequence = 0; sequence < share && deadline.Elapsed < options.Duration; sequence++)
        {
            await SendOneAsync(identity, sequence, m, null);
        }

        m.Messages = _confirmed.Count;
    }

    private Task SendOneAsync(Identity identity, int sequence, Measurement m, Measurement? also) =>
        SendAsync(identity, [.. Enumerable.Range(1, options.Recipients).Select(r => _identities[(identity.Index + r) % _identities.Length])], sequence, m, also);

    /// <param name="due">When the send was due (paced mode): its latency counts from then, not from when it left.</param>
    private async Task SendAsync(Identity identity, Identity[] recipients, int sequence, Measurement m, Measurement? also, long? due = null)
    {
        var id = Identity.Id(identity.Index, sequence);
        var body = new
        {
            message = new
            {
                recipients = recipients.Select(r => r.Key).ToArray(),
                messageBox = Identity.Box,
                messageId = recipients.Select(_ => id).ToArray(),
                body = Identity.Body(identity.Index, sequence, options.BodyBytes),
            },
        };
        var (status, _) = await Try(m, () => identity.PostAsync("/sendMessage", body), also, due);
        if (status == HttpStatusCode.OK)
        {
            foreach (var recipient in recipients)
            {
                _confirmed[(recipient.Index, id)] = identity.Index;
            }
        }
    }

    private async Task<int> ListAndAckAsync(Identity identity, Measurement list, Measurement ack, Measurement all)
    {
        var (status, json) = await Try(list, () => identity.PostAsync("/listMessages", new { messageBox = Identity.Box, limit = 1000 }), all == list ? null : all);
        if (status != HttpStatusCode.OK)
        {
            return 0;
        }

        var ids = Record(identity, json);
        foreach (var batch in ids.Chunk(options.AckBatch))
        {
            await Try(ack, () => identity.PostAsync("/acknowledgeMessage", new { messageIds = batch }), all == ack ? null : all);
        }

        return ids.Count;
    }

    /// <summary>Pages through the box, each page starting after what the last one returned (a page may stop early at the relay's byte budget).</summary>
    private async Task ListAllAsync(Identity identity, Measurement m)
    {
        for (var offset = 0; ;)
        {
            var at = offset;
            var (status, json) = await Try(m, () => identity.PostAsync("/listMessages", new { messageBox = Identity.Box, limit = 1000, offset = at }));
            if (status != HttpStatusCode.OK)
            {
                return;
            }

            var ids = Record(identity, json);
            m.AddMessages(ids.Count);
            offset += ids.Count;
            if (!json.GetProperty("hasMore").GetBoolean() || ids.Count == 0)
            {
                return;
            }
        }
    }

    private async Task AckAllAsync(Identity identity, Measurement m)
    {
        var mine = _seen.Keys.Where(k => k.Recipient == identity.Index).Select(k => k.Id).ToArray();
        foreach (var batch in mine.Chunk(options.AckBatch))
        {
            var (status, json) = await Try(m, () => identity.PostAsync("/acknowledgeMessage", new { messageIds = batch }));
            if (status == HttpStatusCode.OK && json.GetProperty("acknowledged").GetInt32() != batch.Length)
            {
                m.Error();
            }

            m.AddMessages(batch.Length);
        }
    }

    /// <summary>Counts each listed message into the ledger and checks its sender against the body it carries.</summary>
    private List<string> Record(Identity identity, JsonElement json)
    {
        var ids = new List<string>();
        foreach (var message in json.GetProperty("messages").EnumerateArray())
        {
            var id = message.GetProperty("messageId").GetString()!;
            var (sender, sequence) = Identity.ParseBody(message.GetProperty("body").GetString()!);
            if (message.GetProperty("sender").GetString() != _identities[sender].Key || Identity.Id(sender, sequence) != id)
            {
                Interlocked.Increment(ref _misattributed);
            }

            _seen.AddOrUpdate((identity.Index, id), 1, (_, n) => n + 1);
            ids.Add(id);
        }

        return ids;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> Try(Measurement m, Func<Task<(HttpStatusCode, JsonElement)>> request, Measurement? also = null, long? due = null)
    {
        try
        {
            var (status, json) = await m.TimeAsync(request, also, due);
            if (status != HttpStatusCode.OK)
            {
                m.Error();
            }

            return (status, json);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            m.Error();
            return (0, default);
        }
    }

    /// <summary>The phase's CPU by process, when there is more than one process to tell apart.</summary>
    private static void WriteBreakdown(PhaseResult result)
    {
        if (result.Breakdown() is { Length: > 0 } breakdown)
        {
            Console.WriteLine(breakdown);
        }
    }

    private async Task PhaseAsync(string name, Func<Identity, Measurement, Task> work)
    {
        var m = new Measurement(name, options.ServerPids);
        m.Start();
        await Task.WhenAll(_identities.Select(identity => work(identity, m)));
        var result = m.Stop();
        _results.Add(result);
        Console.WriteLine(result);
    }

    private int Report()
    {
        var lost = _confirmed.Keys.Count(k => !_seen.ContainsKey(k));
        var duplicated = _seen.Count(kv => kv.Value > 1);
        var unexpected = _seen.Keys.Count(k => !_confirmed.ContainsKey(k));
        var errors = _results.Sum(r => r.Errors);
        var verdict = new Verdict(_confirmed.Count, lost, duplicated, unexpected, _misattributed, errors);
        Console.WriteLine(verdict);
        if (options.Results is not null)
        {
            File.WriteAllText(options.Results, JsonSerializer.Serialize(new { options, machine = Environment.MachineName, cores = Environment.ProcessorCount, phases = _results, memory = _memory, verdict },
                Indented));
        }

        return verdict.Clean ? 0 : 1;
    }
}

internal sealed record Verdict(int Confirmed, int Lost, int Duplicated, int Unexpected, int Misattributed, int Errors)
{
    public bool Clean => Lost == 0 && Duplicated == 0 && Unexpected == 0 && Misattributed == 0 && Errors == 0 && Confirmed > 0;

    public override string ToString() =>
        $"verdict: {(Clean ? "OK" : "FAILED")} — {Confirmed} deliveries confirmed, {Lost} lost, {Duplicated} duplicated, {Unexpected} unexpected, {Misattributed} misattributed, {Errors} failed requests";
}
