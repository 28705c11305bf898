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
    string? Results)
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
          --mode M               phases (handshake, send, list, ack) | steady        [phases]
          --ack-batch K          ids per acknowledgement                             [100]
          --steady-list-every K  in steady mode, list and acknowledge after K sends  [5]
          --warmup S             steady mode: seconds of the same load before measuring (JIT, pools) [5]
          --server-pids P,Q      server processes whose CPU is measured (from /proc)
          --results FILE         write the results as JSON
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
            [.. Get("server-pids", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))],
            values.Remove("results", out var results) ? results : null);
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys)}\n{Usage}");
        }

        if (options.Protocol is not ("brc104" or "brc31") || options.Mode is not ("phases" or "steady") || options.Identities < 1
            || options.Recipients < 1 || options.Recipients > options.Identities || options.BodyBytes < 1 || options.Messages < 1 || options.AckBatch < 1)
        {
            throw new ArgumentException($"Invalid options.\n{Usage}");
        }

        return options;
    }
}
