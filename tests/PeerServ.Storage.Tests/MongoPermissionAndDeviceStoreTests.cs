using MongoDB.Driver;
using PeerServ.Storage.Mongo;
using PeerServ.Tests.Containers;

namespace PeerServ.Storage.Tests;

/// <summary>The permission contract against the real MongoDB-wire server, a fresh database per test.</summary>
public sealed class MongoPermissionStoreTests(TestServers servers) : PermissionStoreContract, IAsyncLifetime
{
    private readonly MongoClient _client = new(servers.Mongo);
    private MongoPermissionStore? _store;

    protected override IPermissionStore Permissions => _store!;

    public async ValueTask InitializeAsync()
    {
        _store = new MongoPermissionStore(_client, "p" + Guid.NewGuid().ToString("N"));
        await _store.EnsureIndexesAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The device contract against the real MongoDB-wire server, a fresh database per test.</summary>
public sealed class MongoDeviceStoreTests(TestServers servers) : DeviceStoreContract, IAsyncLifetime
{
    private readonly MongoClient _client = new(servers.Mongo);
    private MongoDeviceStore? _store;

    protected override IDeviceStore Devices => _store!;

    public async ValueTask InitializeAsync()
    {
        _store = new MongoDeviceStore(_client, "d" + Guid.NewGuid().ToString("N"));
        await _store.EnsureIndexesAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
