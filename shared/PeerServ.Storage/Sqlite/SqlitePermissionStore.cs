using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// Permission rules in the standalone host's SQLite file: table <c>permissions</c>, keyed (recipient, box, sender),
/// sender '' for the box-wide rule. Every send looks up the rule of each recipient; those lookups are answered from
/// memory once read (this process is the file's only writer, and every write goes through <see cref="SetAsync"/>,
/// which empties the cache after it commits).
/// </summary>
internal sealed class SqlitePermissionStore(SqliteDatabase database) : IPermissionStore
{
    private const string Columns = "recipient, message_box, sender, recipient_fee, created_at, updated_at";

    /// <summary>Lookups held; past it the cache starts again empty (a flood of new box names costs memory once, bounded).</summary>
    internal const int CacheCapacity = 50_000;

    // (box, sender, recipient) → the applicable rule, or null for none (the configured default applies).
    private readonly ConcurrentDictionary<(string Box, string Sender, string Recipient), PermissionRule?> _applicable = new();

    // Bumped by every write: a lookup read before a write commits is not cached after it.
    private long _generation;

    public async Task<PermissionRule> SetAsync(string recipient, string messageBox, string? sender, int recipientFee, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await SetCoreAsync(recipient, messageBox, sender, recipientFee, now, cancellationToken);
        }
        finally
        {
            // Also when the wait was cancelled: the write may still commit.
            Interlocked.Increment(ref _generation);
            _applicable.Clear();
        }
    }

    private Task<PermissionRule> SetCoreAsync(string recipient, string messageBox, string? sender, int recipientFee, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.Writer.WriteAsync(w =>
        {
            var upsert = w.Statement($"""
                INSERT INTO permissions ({Columns}) VALUES ($r, $box, $s, $fee, $now, $now)
                ON CONFLICT (recipient, message_box, sender) DO UPDATE SET recipient_fee = excluded.recipient_fee, updated_at = excluded.updated_at
                RETURNING {Columns}
                """);
            upsert.Parameters.AddWithValue("$r", recipient);
            upsert.Parameters.AddWithValue("$box", messageBox);
            upsert.Parameters.AddWithValue("$s", sender ?? "");
            upsert.Parameters.AddWithValue("$fee", recipientFee);
            upsert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var reader = upsert.ExecuteReader();
            reader.Read();
            return Read(reader);
        }, 256, cancellationToken);

    public Task<PermissionRule?> GetAsync(string recipient, string messageBox, string? sender, CancellationToken cancellationToken) =>
        database.ReadAsync(connection =>
        {
            using var command = SqliteDatabase.Command(connection, $"SELECT {Columns} FROM permissions WHERE recipient = $r AND message_box = $box AND sender = $s");
            command.Parameters.AddWithValue("$r", recipient);
            command.Parameters.AddWithValue("$box", messageBox);
            command.Parameters.AddWithValue("$s", sender ?? "");
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        });

    public Task<PermissionPage> ListAsync(PermissionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return database.ReadAsync(connection =>
        {
            using var transaction = connection.BeginTransaction(deferred: true);
            var filter = query.MessageBox is null ? "recipient = $r" : "recipient = $r AND message_box = $box";
            using var count = SqliteDatabase.Command(connection, $"SELECT count(*) FROM permissions WHERE {filter}");
            using var rows = SqliteDatabase.Command(connection, $"""
                SELECT {Columns} FROM permissions WHERE {filter}
                ORDER BY message_box, sender, created_at {(query.NewestFirst ? "DESC" : "ASC")} LIMIT $limit OFFSET $offset
                """);
            foreach (var command in new[] { count, rows })
            {
                command.Transaction = transaction;
                command.Parameters.AddWithValue("$r", query.Recipient);
                command.Parameters.AddWithValue("$box", (object?)query.MessageBox ?? DBNull.Value);
            }

            rows.Parameters.AddWithValue("$limit", query.Limit);
            rows.Parameters.AddWithValue("$offset", query.Offset);
            var total = (long)count.ExecuteScalar()!;
            var rules = new List<PermissionRule>();
            using var reader = rows.ExecuteReader();
            while (reader.Read())
            {
                rules.Add(Read(reader));
            }

            return new PermissionPage(rules, total);
        });
    }

    public async Task<IReadOnlyDictionary<string, PermissionRule>> FindApplicableAsync(string sender, string messageBox, IReadOnlyCollection<string> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var cached = new Dictionary<string, PermissionRule>(StringComparer.Ordinal);
        var all = true;
        foreach (var recipient in recipients)
        {
            if (!_applicable.TryGetValue((messageBox, sender, recipient), out var rule))
            {
                all = false;
                break;
            }

            if (rule is not null)
            {
                cached[recipient] = rule;
            }
        }

        if (all)
        {
            return cached;
        }

        var generation = Interlocked.Read(ref _generation);
        var found = await ReadApplicableAsync(sender, messageBox, recipients);
        if (Interlocked.Read(ref _generation) == generation)
        {
            if (_applicable.Count + recipients.Count > CacheCapacity)
            {
                _applicable.Clear();
            }

            foreach (var recipient in recipients)
            {
                _applicable[(messageBox, sender, recipient)] = found.GetValueOrDefault(recipient);
            }

            // A write that committed meanwhile may have cleared the cache before these went in: take them out again.
            if (Interlocked.Read(ref _generation) != generation)
            {
                _applicable.Clear();
            }
        }

        return found;
    }

    private Task<IReadOnlyDictionary<string, PermissionRule>> ReadApplicableAsync(string sender, string messageBox, IReadOnlyCollection<string> recipients) =>
        database.ReadAsync<IReadOnlyDictionary<string, PermissionRule>>(connection =>
        {
            // The sender's own rule sorts after the box-wide one (sender '' first), so it wins when both exist.
            using var command = SqliteDatabase.Command(connection, $"""
                SELECT {Columns} FROM permissions
                WHERE message_box = $box AND sender IN ('', $s) AND recipient IN (SELECT value FROM json_each($recipients))
                ORDER BY sender
                """);
            command.Parameters.AddWithValue("$box", messageBox);
            command.Parameters.AddWithValue("$s", sender);
            command.Parameters.AddWithValue("$recipients", System.Text.Json.JsonSerializer.Serialize(recipients));
            var found = new Dictionary<string, PermissionRule>(StringComparer.Ordinal);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var rule = Read(reader);
                found[rule.Recipient] = rule;
            }

            return found;
        });

    private static PermissionRule Read(SqliteDataReader reader)
    {
        var sender = reader.GetString(2);
        return new PermissionRule(reader.GetString(0), reader.GetString(1), sender.Length == 0 ? null : sender, reader.GetInt32(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
    }
}
