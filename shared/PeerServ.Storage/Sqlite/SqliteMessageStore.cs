using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// The standalone host's store: one SQLite file in WAL mode. All writes go through one <see cref="SqliteWriter"/>
/// (SQLite has one writer anyway) that commits concurrent writes together; reads run in parallel on pooled
/// connections. A send returns after its transaction committed, so a 200 means the message is on disk.
/// </summary>
public sealed class SqliteMessageStore : IMessageStore, IDisposable, IAsyncDisposable
{
    /// <summary>What a write other than an insert is charged against the group-commit byte budget.</summary>
    private const long SmallWriteBytes = 1024;

    private readonly SqliteDatabase _database;
    private readonly SqliteWriter _writer;
    private readonly bool _ownsDatabase;

    /// <summary>A store on its own file (opened, created or migrated now); it closes the file when disposed.</summary>
    public SqliteMessageStore(string path)
        : this(new SqliteDatabase(path), ownsDatabase: true)
    {
    }

    internal SqliteMessageStore(SqliteDatabase database, bool ownsDatabase = false)
    {
        _database = database;
        _writer = database.Writer;
        _ownsDatabase = ownsDatabase;
    }

    public Task<InsertResult> InsertAsync(NewMessage message, StoreQuotas quotas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(quotas);
        var hash = message.BodyHash;
        return _writer.WriteAsync(w =>
        {
            // Check every delivery and every quota before writing any, so that a refusal leaves nothing of this send behind.
            var fresh = new List<Delivery>(message.Deliveries.Count);
            foreach (var delivery in message.Deliveries)
            {
                w.Find.Parameters["$r"].Value = delivery.Recipient;
                w.Find.Parameters["$id"].Value = delivery.MessageId;
                w.Find.Parameters["$sender"].Value = message.Sender;
                using var existing = w.Find.ExecuteReader();
                if (!existing.Read())
                {
                    fresh.Add(delivery);
                }
                else if (existing.GetString(0) != message.MessageBox || !existing.GetFieldValue<byte[]>(1).AsSpan().SequenceEqual(hash))
                {
                    return new InsertResult(delivery);
                }
            }

            if (fresh.Count == 0)
            {
                return InsertResult.Stored;
            }

            if (Exceeds(w, message, quotas, fresh) is { } exceeded)
            {
                return new InsertResult(Exceeded: exceeded);
            }

            var windowStart = quotas.WindowStart(message.CreatedAt);
            var sender = w.AddSenderUsage.Parameters;
            sender["$sender"].Value = message.Sender;
            sender["$start"].Value = windowStart;
            sender["$end"].Value = windowStart + (long)quotas.SenderWindow.TotalMilliseconds;
            sender["$bytes"].Value = (long)message.BodyBytes * fresh.Count;
            w.AddSenderUsage.ExecuteNonQuery();

            w.InsertBody.Parameters["$refs"].Value = fresh.Count;
            w.InsertBody.Parameters["$body"].Value = message.Body;
            var bodyId = (long)w.InsertBody.ExecuteScalar()!;
            var insert = w.Insert.Parameters;
            insert["$sender"].Value = message.Sender;
            insert["$box"].Value = message.MessageBox;
            insert["$created"].Value = message.CreatedAt.ToUnixTimeMilliseconds();
            insert["$expires"].Value = message.ExpiresAt.ToUnixTimeMilliseconds();
            insert["$bytes"].Value = message.BodyBytes;
            insert["$hash"].Value = hash;
            insert["$body"].Value = bodyId;
            foreach (var delivery in fresh)
            {
                insert["$r"].Value = delivery.Recipient;
                insert["$id"].Value = delivery.MessageId;
                w.Insert.ExecuteNonQuery();
                w.AddRecipientUsage.Parameters["$r"].Value = delivery.Recipient;
                w.AddRecipientUsage.Parameters["$messages"].Value = 1;
                w.AddRecipientUsage.Parameters["$bytes"].Value = message.BodyBytes;
                w.AddRecipientUsage.ExecuteNonQuery();
            }

            return InsertResult.Stored;
        }, message.BodyBytes + (message.Deliveries.Count * 256L), cancellationToken);
    }

    public Task<MessagePage> ListAsync(ListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        return _database.ReadAsync(connection =>
        {
            // One read transaction: both steps see the same snapshot, so a body read in step 2 exists.
            using var transaction = connection.BeginTransaction(deferred: true);

            // Step 1: the page's rows without bodies, cut at the byte budget.
            using var rows = Command(connection, """
                SELECT message_id, sender, created_at, seq, body_bytes, body_id FROM messages
                WHERE recipient = $r AND message_box = $box AND expires_at > $now
                ORDER BY created_at, seq LIMIT $limit OFFSET $offset
                """);
            rows.Transaction = transaction;
            rows.Parameters.AddWithValue("$r", query.Recipient);
            rows.Parameters.AddWithValue("$box", query.MessageBox);
            rows.Parameters.AddWithValue("$now", query.Now.ToUnixTimeMilliseconds());
            rows.Parameters.AddWithValue("$limit", query.Limit + 1);
            rows.Parameters.AddWithValue("$offset", query.Offset);
            var chosen = new List<(string Id, string Sender, long Created, long Seq, long BodyId)>(Math.Min(query.Limit, 1024));
            var (hasMore, oldestTooLarge, bytes) = (false, false, 0L);
            using (var reader = rows.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (!query.Fits(chosen.Count, ref bytes, reader.GetInt64(4)))
                    {
                        hasMore = true;
                        oldestTooLarge = chosen.Count == 0;
                        break;
                    }

                    chosen.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(5)));
                }
            }

            // Step 2: the bodies of the rows that fit, and no others.
            using var body = Command(connection, "SELECT body FROM bodies WHERE id = $id");
            body.Transaction = transaction;
            var id = body.Parameters.Add("$id", SqliteType.Integer);
            var messages = new List<StoredMessage>(chosen.Count);
            foreach (var row in chosen)
            {
                id.Value = row.BodyId;
                messages.Add(new StoredMessage(query.Recipient, row.Id, query.MessageBox, row.Sender, (string)body.ExecuteScalar()!,
                    DateTimeOffset.FromUnixTimeMilliseconds(row.Created), row.Seq));
            }

            return new MessagePage(messages, hasMore, oldestTooLarge);
        });
    }

    public Task<StoredMessage?> GetAsync(string recipient, string messageId, string sender, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.ReadAsync(connection =>
        {
            using var command = Command(connection, """
                SELECT m.message_box, m.created_at, m.seq, b.body FROM messages m JOIN bodies b ON b.id = m.body_id
                WHERE m.recipient = $r AND m.message_id = $id AND m.sender = $s AND m.expires_at > $now
                """);
            command.Parameters.AddWithValue("$r", recipient);
            command.Parameters.AddWithValue("$id", messageId);
            command.Parameters.AddWithValue("$s", sender);
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new StoredMessage(recipient, messageId, reader.GetString(0), sender, reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetInt64(2))
                : null;
        });

    public Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        return _writer.WriteAsync<IReadOnlyList<string>>(w =>
        {
            var deleted = new List<string>();
            var bodies = new Dictionary<long, int>();
            var (messages, bytes) = (0L, 0L);
            w.Delete.Parameters["$r"].Value = recipient;
            foreach (var id in messageIds)
            {
                w.Delete.Parameters["$id"].Value = id;
                using var rows = w.Delete.ExecuteReader();
                var any = false;
                while (rows.Read())
                {
                    any = true;
                    bodies[rows.GetInt64(0)] = bodies.GetValueOrDefault(rows.GetInt64(0)) + 1;
                    (messages, bytes) = (messages + 1, bytes + rows.GetInt64(1));
                }

                if (any)
                {
                    deleted.Add(id);
                }
            }

            w.ReleaseBodies(bodies);
            w.ReleaseUsage(new() { [recipient] = (messages, bytes) });
            return deleted;
        }, SmallWriteBytes, cancellationToken);
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken) =>
        _writer.WriteAsync(w =>
        {
            w.DeleteExpired.Parameters["$now"].Value = now.ToUnixTimeMilliseconds();
            w.DeleteExpired.Parameters["$batch"].Value = batchSize;
            var bodies = new Dictionary<long, int>();
            var usage = new Dictionary<string, (long Messages, long Bytes)>(StringComparer.Ordinal);
            var count = 0;
            using (var rows = w.DeleteExpired.ExecuteReader())
            {
                while (rows.Read())
                {
                    count++;
                    var (recipient, body, bytes) = (rows.GetString(0), rows.GetInt64(1), rows.GetInt64(2));
                    bodies[body] = bodies.GetValueOrDefault(body) + 1;
                    var held = usage.GetValueOrDefault(recipient);
                    usage[recipient] = (held.Messages + 1, held.Bytes + bytes);
                }
            }

            w.ReleaseBodies(bodies);
            w.ReleaseUsage(usage);
            w.DropEndedSenderWindows.Parameters["$now"].Value = now.ToUnixTimeMilliseconds();
            w.DropEndedSenderWindows.ExecuteNonQuery();
            return count;
        }, SmallWriteBytes, cancellationToken);

    public Task<IReadOnlyList<PendingEvent>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<PendingEvent>>(connection =>
        {
            using var command = Command(connection, """
                SELECT recipient, message_id, message_box, sender, created_at, body_bytes FROM messages
                WHERE event_pending = 1 AND created_at < $before ORDER BY created_at, seq LIMIT $max
                """);
            command.Parameters.AddWithValue("$before", createdBefore.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", max);
            var pending = new List<PendingEvent>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pending.Add(new PendingEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt32(5)));
            }

            return pending;
        });

    /// <summary>The first quota the fresh deliveries of this send would pass.</summary>
    private static QuotaExceeded? Exceeds(SqliteWriter w, NewMessage message, StoreQuotas quotas, List<Delivery> fresh)
    {
        w.SenderUsage.Parameters["$sender"].Value = message.Sender;
        w.SenderUsage.Parameters["$start"].Value = quotas.WindowStart(message.CreatedAt);
        var accepted = w.SenderUsage.ExecuteScalar() is long used ? used : 0;
        if (quotas.CheckSender(accepted, (long)message.BodyBytes * fresh.Count) is { } sender)
        {
            return sender;
        }

        foreach (var group in fresh.GroupBy(d => d.Recipient, StringComparer.Ordinal))
        {
            w.RecipientUsage.Parameters["$r"].Value = group.Key;
            using var held = w.RecipientUsage.ExecuteReader();
            var (messages, bytes) = held.Read() ? (held.GetInt64(0), held.GetInt64(1)) : (0L, 0L);
            var others = group.Count() - 1; // deliveries of this send to the same recipient before the last
            if (quotas.Check(group.Key, messages + others, bytes + ((long)others * message.BodyBytes), message.BodyBytes) is { } recipient)
            {
                return recipient;
            }
        }

        return null;
    }

    public Task MarkEventsPublishedAsync(IReadOnlyCollection<PendingEvent> published, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(published);
        return published.Count == 0 ? Task.CompletedTask : _writer.WriteAsync(w =>
        {
            foreach (var delivery in published)
            {
                w.MarkPublished.Parameters["$r"].Value = delivery.Recipient;
                w.MarkPublished.Parameters["$id"].Value = delivery.MessageId;
                w.MarkPublished.Parameters["$s"].Value = delivery.Sender;
                w.MarkPublished.ExecuteNonQuery();
            }

            return 0;
        }, 64L * published.Count, cancellationToken);
    }

    public Task<bool> ClaimPushAsync(string recipient, string messageId, string sender, CancellationToken cancellationToken) =>
        _writer.WriteAsync(w =>
        {
            w.ClaimPush.Parameters["$r"].Value = recipient;
            w.ClaimPush.Parameters["$id"].Value = messageId;
            w.ClaimPush.Parameters["$s"].Value = sender;
            return w.ClaimPush.ExecuteNonQuery() == 1;
        }, SmallWriteBytes, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => _database.ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT 1");
        return command.ExecuteScalar();
    });

    /// <summary>Closes the file if this store opened it; a shared file is closed by its owner.</summary>
    public ValueTask DisposeAsync() => _ownsDatabase ? _database.DisposeAsync() : ValueTask.CompletedTask;

    /// <summary>For callers that cannot await: the container disposes it with <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static SqliteCommand Command(SqliteConnection connection, string sql) => SqliteDatabase.Command(connection, sql);
}
