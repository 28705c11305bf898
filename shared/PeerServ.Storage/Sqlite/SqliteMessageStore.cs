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
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS messages (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient   TEXT    NOT NULL,
            message_id  TEXT    NOT NULL,
            message_box TEXT    NOT NULL,
            sender      TEXT    NOT NULL,
            body        TEXT    NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL,
            event_pending INTEGER NOT NULL DEFAULT 1,
            UNIQUE (recipient, message_id)
        );
        CREATE INDEX IF NOT EXISTS ix_messages_list ON messages (recipient, message_box, created_at, seq);
        CREATE INDEX IF NOT EXISTS ix_messages_expiry ON messages (expires_at);
        CREATE INDEX IF NOT EXISTS ix_messages_pending ON messages (created_at) WHERE event_pending = 1;
        """;

    private readonly string _connectionString;
    private readonly SqliteWriter _writer;

    public SqliteMessageStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
        _writer = Guard(() =>
        {
            using (var connection = Open())
            using (var command = Command(connection, Schema))
            {
                command.ExecuteNonQuery();
            }

            return new SqliteWriter(_connectionString);
        });
    }

    public Task<InsertResult> InsertAsync(NewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _writer.WriteAsync(w =>
        {
            // Check every delivery before writing any, so that a conflict leaves nothing of this send behind.
            var fresh = new List<Delivery>(message.Deliveries.Count);
            foreach (var delivery in message.Deliveries)
            {
                w.Find.Parameters["$r"].Value = delivery.Recipient;
                w.Find.Parameters["$id"].Value = delivery.MessageId;
                using var existing = w.Find.ExecuteReader();
                if (!existing.Read())
                {
                    fresh.Add(delivery);
                }
                else if (existing.GetString(0) != message.Sender || existing.GetString(1) != message.MessageBox || existing.GetString(2) != message.Body)
                {
                    return new InsertResult(delivery);
                }
            }

            var insert = w.Insert.Parameters;
            insert["$box"].Value = message.MessageBox;
            insert["$sender"].Value = message.Sender;
            insert["$body"].Value = message.Body;
            insert["$created"].Value = message.CreatedAt.ToUnixTimeMilliseconds();
            insert["$expires"].Value = message.ExpiresAt.ToUnixTimeMilliseconds();
            foreach (var delivery in fresh)
            {
                insert["$r"].Value = delivery.Recipient;
                insert["$id"].Value = delivery.MessageId;
                w.Insert.ExecuteNonQuery();
            }

            return InsertResult.Stored;
        }, cancellationToken);
    }

    public Task<MessagePage> ListAsync(string recipient, string messageBox, int offset, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Task.FromResult(Guard(() =>
        {
            using var connection = Open();
            using var command = Command(connection, """
                SELECT message_id, sender, body, created_at, seq FROM messages
                WHERE recipient = $r AND message_box = $box AND expires_at > $now
                ORDER BY created_at, seq LIMIT $limit OFFSET $offset
                """);
            command.Parameters.AddWithValue("$r", recipient);
            command.Parameters.AddWithValue("$box", messageBox);
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$limit", limit + 1);
            command.Parameters.AddWithValue("$offset", offset);
            var messages = new List<StoredMessage>(Math.Min(limit + 1, 1024));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(new StoredMessage(recipient, reader.GetString(0), messageBox, reader.GetString(1), reader.GetString(2),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetInt64(4)));
            }

            var hasMore = messages.Count > limit;
            if (hasMore)
            {
                messages.RemoveAt(limit);
            }

            return new MessagePage(messages, hasMore);
        }));
    }

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
            w.Delete.Parameters["$r"].Value = recipient;
            foreach (var id in messageIds)
            {
                w.Delete.Parameters["$id"].Value = id;
                if (w.Delete.ExecuteNonQuery() > 0)
                {
                    deleted.Add(id);
                }
            }

            return deleted;
        }, cancellationToken);
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken) =>
        _writer.WriteAsync(w =>
        {
            w.DeleteExpired.Parameters["$now"].Value = now.ToUnixTimeMilliseconds();
            w.DeleteExpired.Parameters["$batch"].Value = batchSize;
            return w.DeleteExpired.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<StoredMessage>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken) =>
        Task.FromResult(Guard<IReadOnlyList<StoredMessage>>(() =>
        {
            using var connection = Open();
            using var command = Command(connection, """
                SELECT recipient, message_id, message_box, sender, body, created_at, seq FROM messages
                WHERE event_pending = 1 AND created_at < $before ORDER BY created_at, seq LIMIT $max
                """);
            command.Parameters.AddWithValue("$before", createdBefore.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", max);
            var pending = new List<StoredMessage>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                pending.Add(new StoredMessage(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.GetInt64(6)));
            }

            return pending;
        }));

    public Task MarkEventsPublishedAsync(IReadOnlyCollection<Delivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return deliveries.Count == 0 ? Task.CompletedTask : _writer.WriteAsync(w =>
        {
            foreach (var delivery in deliveries)
            {
                w.MarkPublished.Parameters["$r"].Value = delivery.Recipient;
                w.MarkPublished.Parameters["$id"].Value = delivery.MessageId;
                w.MarkPublished.ExecuteNonQuery();
            }

            return 0;
        }, cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken)
    {
        Guard(() =>
        {
            using var connection = Open();
            using var command = Command(connection, "SELECT 1");
            return command.ExecuteScalar();
        });
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <summary>For callers that cannot await: the container disposes it with <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static T Guard<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"The SQLite store failed: {ex.Message}", ex);
        }
    }
}
