using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using PeerServ.Storage;
using PeerServ.Storage.Sqlite;

namespace PeerServ.Seed;

/// <summary>
/// Adds the messages in chunks of --in-flight: a chunk's inserts are queued together (the store's writer commits
/// them in groups), then the chunk is marked published in one call, so the file never holds an outbox to replay.
/// </summary>
internal static class Seeder
{
    private const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static readonly string[] FileSuffixes = ["", "-wal", "-shm"];

    public static async Task<int> RunAsync(SeedOptions options)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var path = Path.GetFullPath(Path.Combine(options.DataDirectory, "relay.db"));
        var random = new Random(options.RandomSeed);
        var identities = new string[options.Identities];
        for (var i = 0; i < identities.Length; i++)
        {
            // The store sees keys as text: 33 random bytes with a compressed-key prefix have the shape and spread of real ones.
            var key = new byte[33];
            random.NextBytes(key);
            key[0] = (byte)(2 + (key[0] & 1));
            identities[i] = Convert.ToHexStringLower(key);
        }

        var boxes = Enumerable.Range(0, options.Boxes).Select(b => $"seed-{b}").ToArray();
        var before = Count(path);
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        var refused = 0;
        var pending = 0;
        await using (var storage = new SqliteStorage(path))
        {
            var store = storage.Messages;
            for (var done = 0; done < options.Messages;)
            {
                var chunk = Math.Min(options.InFlight, options.Messages - done);
                var messages = new NewMessage[chunk];
                for (var i = 0; i < chunk; i++)
                {
                    var sender = random.Next(identities.Length);
                    var recipient = (sender + 1 + random.Next(identities.Length - 1)) % identities.Length;
                    var created = now - (options.Spread * random.NextDouble());
                    messages[i] = new NewMessage(identities[sender], boxes[random.Next(boxes.Length)], Body(random, options.BodyBytes),
                        [new Delivery(identities[recipient], Id(random))], created, created + options.Lifetime);
                }

                var results = await Task.WhenAll(messages.Select(m => store.InsertAsync(m, StoreQuotas.Unlimited, CancellationToken.None)));
                refused += results.Count(r => r != InsertResult.Stored);
                await store.MarkEventsPublishedAsync(
                    [.. messages.Select(m => new PendingEvent(m.Deliveries[0].Recipient, m.Deliveries[0].MessageId, m.MessageBox, m.Sender, m.CreatedAt, m.BodyBytes))],
                    CancellationToken.None);
                done += chunk;
                if (done % 100_000 < chunk || done == options.Messages)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{done,9} messages  {done / clock.Elapsed.TotalSeconds,8:F0}/s"));
                }
            }

            // What the host's outbox would publish on start: nothing, or the seeding did not do what it says.
            pending = (await store.ListPendingEventsAsync(DateTimeOffset.MaxValue, 1, CancellationToken.None)).Count;
        }

        clock.Stop();
        var after = Count(path);
        var bytes = FileSuffixes.Select(suffix => new FileInfo(path + suffix)).Where(f => f.Exists).Sum(f => f.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded {after - before} messages ({refused} refused, {pending} left pending) between {options.Identities} identities in {clock.Elapsed.TotalSeconds:F1} s; {path} holds {after} messages in {bytes / 1048576.0:F1} MiB ({(after == 0 ? 0 : bytes / (double)after):F0} bytes per message)"));
        return after - before == options.Messages && refused == 0 && pending == 0 ? 0 : 1;
    }

    private static long Count(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM messages";
        return (long)command.ExecuteScalar()!;
    }

    private static string Id(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private static string Body(Random random, int length) =>
        string.Create(length, random, static (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Base64[r.Next(Base64.Length)];
            }
        });
}
