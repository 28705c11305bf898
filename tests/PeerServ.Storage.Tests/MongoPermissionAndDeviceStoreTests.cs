using MongoDB.Driver;
using PeerServ.Storage.Mongo;
using PeerServ.Tests.Containers;

namespace PeerServ.Storage.Tests;

/// <summary>The permission contract against the real MongoDB-wire server, a fresh database per test.</summary>
public sealed class MongoPermissionStoreTests(TestServers servers) : PermissionStoreContract, IAsyncLifetime
{
    private readonly FreshMongoDatabase _database = new(servers);
    private MongoPermissionStore? _store;

    protected override IPermissionStore Permissions => _store!;

    public async ValueTask InitializeAsync() => _store = await _database.OpenAsync((client, name) => new MongoPermissionStore(client, name));

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

/// <summary>The device contract against the real MongoDB-wire server, a fresh database per test.</summary>
public sealed class MongoDeviceStoreTests(TestServers servers) : DeviceStoreContract, IAsyncLifetime
{
    private readonly FreshMongoDatabase _database = new(servers);
    private MongoDeviceStore? _store;

    protected override IDeviceStore Devices => _store!;

    public async ValueTask InitializeAsync() => _store = await _database.OpenAsync((client, name) => new MongoDeviceStore(client, name));

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

/// <summary>A client of the test server and a database name nobody else uses; a store opened on it has its indexes.</summary>
internal sealed class FreshMongoDatabase(TestServers servers) : IAsyncDisposable
{
    private readonly MongoClient _client = new(servers.Mongo);

    public async Task<T> OpenAsync<T>(Func<IMongoClient, string, T> create)
        where T : IMongoIndexes
    {
        var store = create(_client, "t" + Guid.NewGuid().ToString("N"));
        await store.EnsureIndexesAsync(TestContext.Current.CancellationToken);
        return store;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
