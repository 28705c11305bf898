using PeerServ.Storage.Sqlite;

namespace PeerServ.Storage.Tests;

/// <summary>The permission and device contracts on one SQLite file, as the standalone host opens it.</summary>
public sealed class SqlitePermissionStoreTests : PermissionStoreContract, IDisposable
{
    private readonly SqliteFile _file = new();

    protected override IPermissionStore Permissions => _file.Storage.Permissions;

    public void Dispose() => _file.Dispose();
}

public sealed class SqliteDeviceStoreTests : DeviceStoreContract, IDisposable
{
    private readonly SqliteFile _file = new();

    protected override IDeviceStore Devices => _file.Storage.Devices;

    public void Dispose() => _file.Dispose();
}

internal sealed class SqliteFile : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("peerserv-sqlite-").FullName;

    public SqliteFile() => Storage = new SqliteStorage(Path.Combine(_directory, "relay.db"));

    public SqliteStorage Storage { get; }

    public void Dispose()
    {
        Storage.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
