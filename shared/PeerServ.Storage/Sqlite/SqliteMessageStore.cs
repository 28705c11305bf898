using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// The standalone host's store: one SQLite file in WAL mode. Writes are serialised in-process (SQLite has one
/// writer anyway, and waiting on a semaphore is cheaper than retrying SQLITE_BUSY); reads run in parallel on
/// pooled connections. A send commits before it returns, so a 200 means the message is on disk.
/// </summary>
public sealed class SqliteMessageStore : IMessageStore, IDisposable
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
    private readonly SemaphoreSlim _writer = new(1, 1);

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
        Guard(() =>
        {
            using var connection = Open();
            using var command = Command(connection, Schema);
            return command.ExecuteNonQuery();
        });
    }

    public async Task<InsertResult> InsertAsync(NewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            return Guard(() =>
            {
                using var connection = Open();
                using var transaction = connection.BeginTransaction();
                using var find = Command(connection, "SELECT sender, message_box, body FROM messages WHERE recipient = $r AND message_id = $id", transaction);
                var findRecipient = find.Parameters.Add("$r", SqliteType.Text);
                var findId = find.Parameters.Add("$id", SqliteType.Text);
                using var insert = Command(connection, """
                    INSERT INTO messages (recipient, message_id, message_box, sender, body, created_at, expires_at)
                    VALUES ($r, $id, $box, $sender, $body, $created, $expires)
                    """, transaction);
                var insertRecipient = insert.Parameters.Add("$r", SqliteType.Text);
                var insertId = insert.Parameters.Add("$id", SqliteType.Text);
                insert.Parameters.AddWithValue("$box", message.MessageBox);
                insert.Parameters.AddWithValue("$sender", message.Sender);
                insert.Parameters.AddWithValue("$body", message.Body);
                insert.Parameters.AddWithValue("$created", message.CreatedAt.ToUnixTimeMilliseconds());
                insert.Parameters.AddWithValue("$expires", message.ExpiresAt.ToUnixTimeMilliseconds());

                foreach (var delivery in message.Deliveries)
                {
                    findRecipient.Value = delivery.Recipient;
                    findId.Value = delivery.MessageId;
                    using (var existing = find.ExecuteReader())
                    {
                        if (existing.Read())
                        {
                            if (existing.GetString(0) == message.Sender && existing.GetString(1) == message.MessageBox && existing.GetString(2) == message.Body)
                            {
                                continue;
                            }

                            transaction.Rollback();
                            return new InsertResult(InsertOutcome.Conflict, delivery);
                        }
                    }

                    insertRecipient.Value = delivery.Recipient;
                    insertId.Value = delivery.MessageId;
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                return InsertResult.Stored;
            });
        }
        finally
        {
            _writer.Release();
        }
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

    public async Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return [];
        }

        await _writer.WaitAsync(cancellationToken);
        try
        {
            return Guard<IReadOnlyList<string>>(() =>
            {
                using var connection = Open();
                using var command = Command(connection, "");
                command.Parameters.AddWithValue("$r", recipient);
                var names = new List<string>(messageIds.Count);
                foreach (var id in messageIds)
                {
                    var name = "$p" + names.Count.ToString(CultureInfo.InvariantCulture);
                    command.Parameters.AddWithValue(name, id);
                    names.Add(name);
                }

                command.CommandText = $"DELETE FROM messages WHERE recipient = $r AND message_id IN ({string.Join(',', names)}) RETURNING message_id";
                var deleted = new List<string>();
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    deleted.Add(reader.GetString(0));
                }

                return deleted;
            });
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            return Guard(() =>
            {
                using var connection = Open();
                using var command = Command(connection, "DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE expires_at <= $now LIMIT $batch)");
                command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                command.Parameters.AddWithValue("$batch", batchSize);
                return command.ExecuteNonQuery();
            });
        }
        finally
        {
            _writer.Release();
        }
    }

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

    public async Task MarkEventsPublishedAsync(IReadOnlyCollection<Delivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (deliveries.Count == 0)
        {
            return;
        }

        await _writer.WaitAsync(cancellationToken);
        try
        {
            Guard(() =>
            {
                using var connection = Open();
                using var transaction = connection.BeginTransaction();
                using var command = Command(connection, "UPDATE messages SET event_pending = 0 WHERE recipient = $r AND message_id = $id AND event_pending = 1", transaction);
                var recipient = command.Parameters.Add("$r", SqliteType.Text);
                var id = command.Parameters.Add("$id", SqliteType.Text);
                foreach (var delivery in deliveries)
                {
                    recipient.Value = delivery.Recipient;
                    id.Value = delivery.MessageId;
                    command.ExecuteNonQuery();
                }

                transaction.Commit();
                return 0;
            });
        }
        finally
        {
            _writer.Release();
        }
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

    public void Dispose() => _writer.Dispose();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
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
