using System.Globalization;

namespace PeerServ.LoadGen;

/// <summary>Command-line options: --name value pairs; see Usage.</summary>
internal sealed record LoadOptions(
    Uri Url,
    string Protocol,
    int Identities,
    int Recipients,
    int BodyBytes,
    int Messages,
    TimeSpan Duration,
    string Mode,
    int AckBatch,
    int SteadyListEvery,
    TimeSpan Warmup,
    IReadOnlyList<int> ServerPids,
    IReadOnlyList<int> OtherPids,
    string? Results,
    int Lists,
    int Rounds,
    int LargeSenders,
    int LargeRecipients,
    int LargeBytes,
    TimeSpan Pace,
    int Sockets,
    int Rate,
    int Senders)
{
    public const string Usage = """
        peerserv load generator: N identities, each with its own authenticated session, against a relay.

          --url URL              relay base URL (standalone host or gateway)        [http://localhost:8080]
          --protocol P           brc104 | brc31                                     [brc104]
          --identities N         concurrent identities                              [32]
          --recipients R         recipients per send                                [1]
          --body-bytes B         message body size                                  [256]
          --messages M           messages to send in all (bound)                    [2000]
          --duration S           seconds (bound for the send / steady phase)        [60]
          --mode M               phases (handshake, send, list, ack) | steady | paced | big-list | large-sends | live-idle | live-delivery [phases]
          --ack-batch K          ids per acknowledgement                             [100]
          --steady-list-every K  in steady mode, list and acknowledge after K sends  [5]
          --warmup S             steady mode: seconds of the same load before measuring (JIT, pools) [5]
          --server-pids P,Q      server processes whose CPU (and, in big-list and large-sends, RSS) is measured (from /proc);
                                 with more than one, the paced and steady phases also report each one's share
          --other-pids P,Q       processes whose CPU is reported beside the server's, not summed into it (the broker,
                                 the store)
          --results FILE         write the results as JSON
        big-list: identities 1..N-1 fill identity 0's box with --messages bodies of --body-bytes, then identity 0
        lists it with --lists concurrent requests, --rounds times, while the servers' RSS is sampled; then pages
        through and acknowledges everything.
          --lists N              concurrent lists per round                         [8]
          --rounds N             rounds of concurrent lists                         [5]
        large-sends: every identity sends small messages (--body-bytes, one recipient, --pace-ms apart, listing and
        acknowledging every --steady-list-every sends) for --duration alone, then as long again while
        --large-senders send --large-bytes bodies to --large-recipients fresh keys each, back to back.
          --large-senders N      senders of large multi-recipient messages          [3]
          --large-recipients N   recipients per large send (throw-away keys)         [100]
          --large-bytes B        body size of a large send                           [1048576]
          --pace-ms MS           pause between a small sender's sends               [50]
        live-idle: --sockets authenticated live connections (one identity each) are opened and held for --duration
        while the servers' RSS and CPU are sampled; memory per socket is what they added.
          --sockets N            live connections to open                            [1000]
        live-delivery: --identities listeners each hold one live connection; --senders HTTP identities send to random
        listeners at --rate messages per second in all (open loop, for --duration after --warmup); each delivery's
        latency is from the send's scheduled time to its arrival on the socket.
          --rate R               HTTP sends per second, in all (live-delivery, paced) [500]
          --senders N            sending identities                                  [16]
        paced: sends at --rate per second in all (open loop, round-robin over the identities, each timed from when it
        was due), --warmup then --duration seconds (or until --messages); then lists and acknowledges everything. With
        --server-pids: server CPU per request at that rate.
        Exit code 0 only when nothing was lost, duplicated or misattributed and no request failed.
        """;

    public static LoadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.\n{Usage}");
            }

            values[args[i][2..]] = args[++i];
        }

        string Get(string name, string fallback) => values.Remove(name, out var value) ? value : fallback;
        int Int(string name, int fallback) => int.Parse(Get(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

        var options = new LoadOptions(
            new Uri(Get("url", "http://localhost:8080")),
            Get("protocol", "brc104"),
            Int("identities", 32),
            Int("recipients", 1),
            Int("body-bytes", 256),
            Int("messages", 2000),
            TimeSpan.FromSeconds(Int("duration", 60)),
            Get("mode", "phases"),
            Int("ack-batch", 100),
            Int("steady-list-every", 5),
            TimeSpan.FromSeconds(Int("warmup", 5)),
            Pids(Get("server-pids", "")),
            Pids(Get("other-pids", "")),
            values.Remove("results", out var results) ? results : null,
            Int("lists", 8),
            Int("rounds", 5),
            Int("large-senders", 3),
            Int("large-recipients", 100),
            Int("large-bytes", 1 << 20),
            TimeSpan.FromMilliseconds(Int("pace-ms", 50)),
            Int("sockets", 1000),
            Int("rate", 500),
            Int("senders", 16));
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys)}\n{Usage}");
        }

        if (options.Protocol is not ("brc104" or "brc31") || options.Mode is not ("phases" or "steady" or "big-list" or "large-sends" or "live-idle" or "live-delivery" or "paced") || options.Identities < 1
            || options.Recipients < 1 || options.Recipients > options.Identities || options.BodyBytes < 1 || options.Messages < 1 || options.AckBatch < 1
            || (options.Mode == "big-list" && options.Identities < 2) || options.Lists < 1 || options.Rounds < 1 || options.LargeSenders < 0
            || options.LargeRecipients < 1 || options.LargeBytes < 1 || options.Pace < TimeSpan.Zero || options.Sockets < 1 || options.Rate < 1 || options.Senders < 1)
        {
            throw new ArgumentException($"Invalid options.\n{Usage}");
        }

        return options;
    }

    private static int[] Pids(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
}
