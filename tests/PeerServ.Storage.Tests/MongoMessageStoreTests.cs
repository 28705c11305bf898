using MongoDB.Driver;
using PeerServ.Storage.Mongo;
using PeerServ.Tests.Containers;

[assembly: AssemblyFixture(typeof(TestServers))]

namespace PeerServ.Storage.Tests;

/// <summary>The contract against a real MongoDB-wire server, a fresh database per test.</summary>
public sealed class MongoMessageStoreTests : MessageStoreContract, IAsyncLifetime
{
    private readonly MongoClient _client;
    private readonly MongoMessageStore _store;

    public MongoMessageStoreTests(TestServers servers)
    {
        _client = new MongoClient(servers.Mongo);
        _store = new MongoMessageStore(_client, "t" + Guid.NewGuid().ToString("N"));
    }

    protected override IMessageStore Store => _store;

    public async ValueTask InitializeAsync() => await _store.EnsureIndexesAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Unreachable_Server_ThrowsStoreUnavailableQuickly()
    {
        var settings = MongoClientSettings.FromConnectionString("mongodb://127.0.0.1:1/?serverMonitoringMode=poll");
        settings.ServerSelectionTimeout = TimeSpan.FromMilliseconds(500);
        using var client = new MongoClient(settings);
        var store = new MongoMessageStore(client, "unreachable");

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ListAsync("bob", "inbox", 0, 10, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));
    }
}
