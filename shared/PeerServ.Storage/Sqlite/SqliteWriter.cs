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
    private readonly SqliteConnection _connection;
    private readonly Channel<WriteOperation> _queue = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;

    public SqliteWriter(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Find = Prepare("SELECT sender, message_box, body FROM messages WHERE recipient = $r AND message_id = $id", "$r", "$id");
        Insert = Prepare("""
            INSERT INTO messages (recipient, message_id, message_box, sender, body, created_at, expires_at)
            VALUES ($r, $id, $box, $sender, $body, $created, $expires)
            """, "$r", "$id", "$box", "$sender", "$body", "$created", "$expires");
        Delete = Prepare("DELETE FROM messages WHERE recipient = $r AND message_id = $id", "$r", "$id");
        MarkPublished = Prepare("UPDATE messages SET event_pending = 0 WHERE recipient = $r AND message_id = $id AND event_pending = 1", "$r", "$id");
        DeleteExpired = Prepare("DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE expires_at <= $now LIMIT $batch)", "$now", "$batch");
        _savepoint = Prepare("SAVEPOINT op");
        _release = Prepare("RELEASE op");
        _rollbackTo = Prepare("ROLLBACK TO op");
        _loop = Task.Run(RunAsync);
    }

    public SqliteCommand Find { get; }

    public SqliteCommand Insert { get; }

    public SqliteCommand Delete { get; }

    public SqliteCommand MarkPublished { get; }

    public SqliteCommand DeleteExpired { get; }

    /// <summary>Runs <paramref name="work"/> inside the next group transaction; completes after its commit.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteWriter, T> work, CancellationToken cancellationToken)
    {
        var operation = new WriteOperation<T>(work);
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
        foreach (var command in Commands)
        {
            command.Dispose();
        }

        await _connection.DisposeAsync();
    }

    private SqliteCommand[] Commands => [Find, Insert, Delete, MarkPublished, DeleteExpired, _savepoint, _release, _rollbackTo];

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
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var operation))
            {
                batch.Add(operation);
            }

            try
            {
                using (var transaction = _connection.BeginTransaction())
                {
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

    private abstract class WriteOperation
    {
        public abstract void Run(SqliteWriter writer);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    /// <summary>A unit of work; its result is held back until the transaction that contains it commits.</summary>
    private sealed class WriteOperation<T>(Func<SqliteWriter, T> work) : WriteOperation
    {
        private T _result = default!;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteWriter writer) => _result = work(writer);

        public override void Complete() => Completion.TrySetResult(_result); // no-op if it already failed

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
