namespace PeerServ.Storage.Sqlite;

/// <summary>One SQLite file opened (created or migrated) with its three stores, which share its one writer; disposing it closes the file.</summary>
public sealed class SqliteStorage : IAsyncDisposable, IDisposable
{
    private readonly SqliteDatabase _database;

    public SqliteStorage(string path)
    {
        _database = new SqliteDatabase(path);
        Messages = new SqliteMessageStore(_database);
        Permissions = new SqlitePermissionStore(_database);
        Devices = new SqliteDeviceStore(_database);
    }

    public SqliteMessageStore Messages { get; }

    public IPermissionStore Permissions { get; }

    public IDeviceStore Devices { get; }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>For callers that cannot await: the container disposes it with <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
