using System.Collections.Concurrent;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Events;
using PeerServ.Storage.Mongo;
using PeerServ.Tests.Containers;

[assembly: AssemblyFixture(typeof(TestServers))]

namespace PeerServ.Storage.Tests;

/// <summary>The contract against a real MongoDB-wire server, a fresh database per test.</summary>
public sealed class MongoMessageStoreTests : MessageStoreContract, IAsyncLifetime
{
    private readonly MongoClient _client;
    private readonly MongoMessageStore _store;
    private readonly ConcurrentQueue<BsonDocument> _finds = new();

    public MongoMessageStoreTests(TestServers servers)
    {
        var settings = MongoClientSettings.FromConnectionString(servers.Mongo);
        settings.ClusterConfigurator = cluster => cluster.Subscribe<CommandStartedEvent>(e =>
        {
            if (e.CommandName == "find" && e.Command["find"] == "messages")
            {
                _finds.Enqueue(e.Command.DeepClone().AsBsonDocument);
            }
        });
        _client = new MongoClient(settings);
        _store = new MongoMessageStore(_client, "t" + Guid.NewGuid().ToString("N"));
    }

    protected override IMessageStore Store => _store;

    public async ValueTask InitializeAsync() => await _store.EnsureIndexesAsync(TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Only the body step of a list asks for bodies, and only for the messages that fit; retries, acks, sweeps and the
    /// outbox ask the server to leave them out. Checked on the commands the driver sends (the test server ignores
    /// projections, a real MongoDB honours them).
    /// </summary>
    [Fact]
    public async Task Commands_ProjectBodiesAwayExceptForTheListedPage()
    {
        var ct = TestContext.Current.CancellationToken;
        var t0 = DateTimeOffset.UtcNow;
        var big = new string('b', 5000);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await _store.InsertAsync(new NewMessage("alice", "inbox", big, [new Delivery("bob", id)], t0, t0.AddSeconds(1)), ct);
        }

        _finds.Clear();
        await _store.InsertAsync(new NewMessage("alice", "inbox", big, [new Delivery("bob", "a")], t0, t0.AddSeconds(1)), ct);
        var retry = Drain();
        var page = await _store.ListAsync(new ListQuery("bob", "inbox", 0, 10, t0, MaxBytes: 11_000), ct);
        var list = Drain();
        await _store.ListPendingEventsAsync(t0.AddSeconds(1), 10, ct);
        await _store.AcknowledgeAsync("bob", ["a"], ct);
        await _store.DeleteExpiredAsync(t0.AddSeconds(2), 100, ct);
        var others = Drain();

        Assert.Equal(2, page.Messages.Count);
        Assert.All(retry.Concat(others).Append(list[0]), find => Assert.Equal(new BsonDocument("body", 0), find["projection"]));
        Assert.Equal(2, list.Count);
        Assert.Equal(new BsonDocument("body", 1), list[1]["projection"]);
        Assert.Equal(2, list[1]["filter"]["_id"]["$in"].AsBsonArray.Count);
        Assert.Equal(3, others.Count);
    }

    private List<BsonDocument> Drain()
    {
        var drained = new List<BsonDocument>();
        while (_finds.TryDequeue(out var find))
        {
            drained.Add(find);
        }

        return drained;
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
