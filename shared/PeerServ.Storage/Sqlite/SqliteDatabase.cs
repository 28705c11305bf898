using Microsoft.Data.Sqlite;

namespace PeerServ.Storage.Sqlite;

/// <summary>
/// One SQLite file of the standalone host, shared by its stores (messages, permissions, devices): the schema applied
/// when it opens, the one <see cref="SqliteWriter"/> every write goes through, and pooled connections for reads.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
        Writer = Guard(() =>
        {
            using (var connection = Open())
            {
                SqliteSchema.Apply(connection);
            }

            return new SqliteWriter(_connectionString);
        });
    }

    public SqliteWriter Writer { get; }

    /// <summary>Runs <paramref name="read"/> on a pooled connection; an SQLite failure becomes <see cref="StoreUnavailableException"/>.</summary>
    public Task<T> ReadAsync<T>(Func<SqliteConnection, T> read) => Task.FromResult(Guard(() =>
    {
        using var connection = Open();
        return read(connection);
    }));

    public static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    public static T Guard<T>(Func<T> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            return operation();
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException($"The SQLite store failed: {ex.Message}", ex);
        }
    }

    public ValueTask DisposeAsync() => Writer.DisposeAsync();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }
}
