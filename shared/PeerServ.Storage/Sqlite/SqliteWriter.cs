using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// The one writer of an SQLite file, with group commit: writes from concurrent requests queue up, and the writer
/// runs everything queued in one transaction — one WAL append and one fsync for the lot — then answers each caller.
/// A caller's task completes only after the commit, so "answered" still means "durable". Statements are prepared
/// once on a connection that stays open.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;

    /// <summary>
    /// Bytes one group transaction writes at most (the first operation always runs, whatever its size): a large send
    /// commits on its own, and the small writes queued behind it go in the next transaction instead of waiting for a
    /// batch of large ones.
    /// </summary>
    public const long MaxBatchBytes = 2 << 20;
    private readonly SqliteConnection _connection;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    public SqliteWriter(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Find = Prepare("SELECT message_box, body_hash FROM messages WHERE recipient = $r AND message_id = $id AND sender = $sender", "$r", "$id", "$sender");
        RecipientUsage = Prepare("SELECT messages, bytes FROM recipient_usage WHERE recipient = $r", "$r");
        SenderUsage = Prepare("SELECT bytes FROM sender_usage WHERE sender = $sender AND window_start = $start", "$sender", "$start");
        InsertBody = Prepare("INSERT INTO bodies (refs, body) VALUES ($refs, $body) RETURNING id", "$refs", "$body");
        Insert = Prepare("""
            INSERT INTO messages (recipient, message_id, sender, message_box, created_at, expires_at, body_bytes, body_hash, body_id)
            VALUES ($r, $id, $sender, $box, $created, $expires, $bytes, $hash, $body)
            """, "$r", "$id", "$sender", "$box", "$created", "$expires", "$bytes", "$hash", "$body");
        AddRecipientUsage = Prepare("""
            INSERT INTO recipient_usage (recipient, messages, bytes) VALUES ($r, $messages, $bytes)
            ON CONFLICT (recipient) DO UPDATE SET messages = messages + excluded.messages, bytes = bytes + excluded.bytes
            """, "$r", "$messages", "$bytes");
        DropEmptyRecipientUsage = Prepare("DELETE FROM recipient_usage WHERE recipient = $r AND messages <= 0", "$r");
        AddSenderUsage = Prepare("""
            INSERT INTO sender_usage (sender, window_start, window_end, bytes) VALUES ($sender, $start, $end, $bytes)
            ON CONFLICT (sender, window_start) DO UPDATE SET bytes = bytes + excluded.bytes
            """, "$sender", "$start", "$end", "$bytes");
        Delete = Prepare("DELETE FROM messages WHERE recipient = $r AND message_id = $id RETURNING body_id, body_bytes", "$r", "$id");
        ReleaseBody = Prepare("UPDATE bodies SET refs = refs - $n WHERE id = $body", "$body", "$n");
        DropBody = Prepare("DELETE FROM bodies WHERE id = $body AND refs <= 0", "$body");
        MarkPublished = Prepare("UPDATE messages SET event_pending = 0 WHERE recipient = $r AND message_id = $id AND sender = $s AND event_pending = 1", "$r", "$id", "$s");
        DeleteExpired = Prepare("""
            DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE expires_at <= $now LIMIT $batch)
            RETURNING recipient, body_id, body_bytes
            """, "$now", "$batch");
        DropEndedSenderWindows = Prepare("DELETE FROM sender_usage WHERE window_end <= $now", "$now");
        ClaimPush = Prepare("UPDATE messages SET push_claimed = 1 WHERE recipient = $r AND message_id = $id AND sender = $s AND push_claimed = 0", "$r", "$id", "$s");
        _savepoint = Prepare("SAVEPOINT op");
        _release = Prepare("RELEASE op");
        _rollbackTo = Prepare("ROLLBACK TO op");
        _loop = Task.Run(RunAsync);
    }

    public SqliteCommand Find { get; }

    public SqliteCommand RecipientUsage { get; }

    public SqliteCommand SenderUsage { get; }

    public SqliteCommand InsertBody { get; }

    public SqliteCommand Insert { get; }

    public SqliteCommand AddRecipientUsage { get; }

    public SqliteCommand DropEmptyRecipientUsage { get; }

    public SqliteCommand AddSenderUsage { get; }

    public SqliteCommand Delete { get; }

    public SqliteCommand ReleaseBody { get; }

    public SqliteCommand DropBody { get; }

    public SqliteCommand MarkPublished { get; }

    public SqliteCommand DeleteExpired { get; }

    public SqliteCommand DropEndedSenderWindows { get; }

    public SqliteCommand ClaimPush { get; }

    /// <summary>
    /// A statement outside the message store's own (permissions, devices): created on first use and kept, in the
    /// current group transaction, its parameters cleared. Only for the <c>work</c> of <see cref="WriteAsync{T}"/>.
    /// </summary>
    public SqliteCommand Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            _statements[sql] = command;
        }

        command.Transaction = _transaction;
        command.Parameters.Clear();
        return command;
    }

    /// <summary>Runs <paramref name="work"/> inside the next group transaction; completes after its commit.</summary>
    /// <param name="work">The statements, run inside a savepoint: if it throws, only its own writes are undone.</param>
    /// <param name="bytes">About how many bytes it writes: a group transaction takes operations until their sum passes <see cref="MaxBatchBytes"/>.</param>
    /// <param name="cancellationToken">Stops waiting; the operation may still commit.</param>
    public Task<T> WriteAsync<T>(Func<SqliteWriter, T> work, long bytes, CancellationToken cancellationToken)
    {
        var operation = new WriteOperation<T>(work, bytes);
        if (!_queue.Writer.TryWrite(operation))
        {
            throw new StoreUnavailableException("The SQLite store is shutting down.");
        }

        return operation.Completion.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        foreach (var command in Commands.Concat(_statements.Values))
        {
            command.Dispose();
        }

        await _connection.DisposeAsync();
    }

    private SqliteCommand[] Commands =>
    [
        Find, RecipientUsage, SenderUsage, InsertBody, Insert, AddRecipientUsage, DropEmptyRecipientUsage, AddSenderUsage, Delete, ReleaseBody, DropBody,
        MarkPublished, DeleteExpired, DropEndedSenderWindows, ClaimPush, _savepoint, _release, _rollbackTo,
    ];

    /// <summary>Releases one reference per delivery deleted (body id → count) and drops bodies nobody references; returns nothing.</summary>
    public void ReleaseBodies(Dictionary<long, int> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        foreach (var (body, count) in references)
        {
            ReleaseBody.Parameters["$body"].Value = body;
            ReleaseBody.Parameters["$n"].Value = count;
            ReleaseBody.ExecuteNonQuery();
            DropBody.Parameters["$body"].Value = body;
            DropBody.ExecuteNonQuery();
        }
    }

    /// <summary>Takes deleted deliveries off their recipients' usage (recipient → messages, bytes).</summary>
    public void ReleaseUsage(Dictionary<string, (long Messages, long Bytes)> usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        foreach (var (recipient, (messages, bytes)) in usage)
        {
            AddRecipientUsage.Parameters["$r"].Value = recipient;
            AddRecipientUsage.Parameters["$messages"].Value = -messages;
            AddRecipientUsage.Parameters["$bytes"].Value = -bytes;
            AddRecipientUsage.ExecuteNonQuery();
            DropEmptyRecipientUsage.Parameters["$r"].Value = recipient;
            DropEmptyRecipientUsage.ExecuteNonQuery();
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteOperation>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            long bytes = 0;
            while (batch.Count < MaxBatch && _queue.Reader.TryPeek(out var next)
                && (batch.Count == 0 || bytes + next.Bytes <= MaxBatchBytes) && _queue.Reader.TryRead(out var operation))
            {
                batch.Add(operation);
                bytes += operation.Bytes;
            }

            try
            {
                using (var transaction = _connection.BeginTransaction())
                {
                    _transaction = transaction;
                    foreach (var command in Commands)
                    {
                        command.Transaction = transaction;
                    }

                    foreach (var operation in batch)
                    {
                        // A savepoint per operation: one that throws is undone alone, the others still commit.
                        _savepoint.ExecuteNonQuery();
                        try
                        {
                            operation.Run(this);
                        }
                        catch (Exception ex) when (ex is not SqliteException)
                        {
                            _rollbackTo.ExecuteNonQuery();
                            operation.Fail(ex);
                        }

                        _release.ExecuteNonQuery();
                    }

                    transaction.Commit();
                    _transaction = null;
                }

                foreach (var operation in batch)
                {
                    operation.Complete();
                }
            }
            catch (SqliteException ex)
            {
                var failure = new StoreUnavailableException($"The SQLite store failed: {ex.Message}", ex);
                foreach (var operation in batch)
                {
                    operation.Fail(failure);
                }
            }

            batch.Clear();
        }
    }

    private abstract class WriteOperation(long bytes)
    {
        public long Bytes { get; } = bytes;

        public abstract void Run(SqliteWriter writer);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    /// <summary>A unit of work; its result is held back until the transaction that contains it commits.</summary>
    private sealed class WriteOperation<T>(Func<SqliteWriter, T> work, long bytes) : WriteOperation(bytes)
    {
        private T _result = default!;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteWriter writer) => _result = work(writer);

        public override void Complete() => Completion.TrySetResult(_result); // no-op if it already failed

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
