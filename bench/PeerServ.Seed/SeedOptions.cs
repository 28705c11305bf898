using System.Globalization;

namespace PeerServ.Seed;

/// <summary>Command-line options: --name value pairs; see Usage.</summary>
internal sealed record SeedOptions(string DataDirectory, int Messages, int Identities, int BodyBytes, int Boxes, TimeSpan Spread, TimeSpan Lifetime, int InFlight, int RandomSeed)
{
    public const string Usage = """
        peerserv seed: fills a standalone host's store (DATA/relay.db) with messages between random identities, through
        the store's own insert path (quota usage, shared bodies, group commit), every one marked as already published
        (history, not news: the host's outbox does not replay it). Run it with the host stopped; the host opens the file after.

          --data DIR          the standalone host's data directory (Standalone:DataDirectory)   [peerserv-data]
          --messages N        messages to add                                                   [1000000]
          --identities N      distinct identity keys (senders and recipients drawn uniformly)    [100000]
          --body-bytes B      body size                                                         [256]
          --boxes N           message box names, drawn uniformly ("seed-0" ...)                 [3]
          --spread-hours H    created times spread uniformly over the last H hours             [24]
          --lifetime-days D   time to live from creation (the sweeper leaves them alone)        [30]
          --in-flight N       inserts queued at once (the writer commits up to 512 together)    [2048]
          --random-seed S     seed of the keys, ids, boxes and bodies                            [1]
        Exit code 0 when every message was stored (the final count of the file is checked).
        """;

    public static SeedOptions Parse(string[] args)
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
        int Int(string name, int fallback)
        {
            var text = Get(name, fallback.ToString(CultureInfo.InvariantCulture));
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value : throw new ArgumentException($"--{name}: '{text}' is not a whole number.\n{Usage}");
        }

        var options = new SeedOptions(
            Get("data", "peerserv-data"),
            Int("messages", 1_000_000),
            Int("identities", 100_000),
            Int("body-bytes", 256),
            Int("boxes", 3),
            TimeSpan.FromHours(Int("spread-hours", 24)),
            TimeSpan.FromDays(Int("lifetime-days", 30)),
            Int("in-flight", 2048),
            Int("random-seed", 1));
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys)}\n{Usage}");
        }

        if (options.Messages < 1 || options.Identities < 2 || options.BodyBytes < 1 || options.Boxes < 1 || options.Spread < TimeSpan.Zero
            || options.Lifetime <= options.Spread || options.InFlight < 1)
        {
            throw new ArgumentException($"Invalid options: messages ≥ 1, identities ≥ 2, body bytes ≥ 1, boxes ≥ 1, lifetime longer than the spread, in-flight ≥ 1.\n{Usage}");
        }

        return options;
    }
}
