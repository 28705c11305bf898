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
    private readonly ConcurrentQueue<BsonDocument> _queries = new();
    private readonly string _database = "t" + Guid.NewGuid().ToString("N");

    public MongoMessageStoreTests(TestServers servers)
    {
        var settings = MongoClientSettings.FromConnectionString(servers.Mongo);
        settings.ClusterConfigurator = cluster => cluster.Subscribe<CommandStartedEvent>(e =>
        {
            if (e.CommandName == "find" && e.Command["find"] == "messages")
            {
                _finds.Enqueue(e.Command.DeepClone().AsBsonDocument);
            }

            if (e.CommandName is "find" or "update" or "delete" or "aggregate" or "findAndModify" or "count" or "distinct")
            {
                _queries.Enqueue(e.Command.DeepClone().AsBsonDocument);
            }
        });
        _client = new MongoClient(settings);
        _store = new MongoMessageStore(_client, _database);
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

    /// <summary>
    /// Every query the store sends on the paths of a message's life — send (the retry check, the recipient quota, the
    /// sender window), list, live fetch, push claim, acknowledge, the outbox and the sweep — is bounded by an index the
    /// server holds (no collection scan), and a list comes back in index order (no in-memory sort). The MongoDB-wire test
    /// server has no explain command, so each captured command is checked against its listIndexes by MongoDB's index-bound
    /// rules (<see cref="IndexUse"/>); docs/benchmarks.md says what a real server's explain would add.
    /// </summary>
    [Fact]
    public async Task Queries_OnEveryPath_AreBoundedByAnIndex()
    {
        var ct = TestContext.Current.CancellationToken;
        var t0 = DateTimeOffset.UtcNow;
        var quotas = new StoreQuotas(100, 1 << 20, 1 << 20, TimeSpan.FromHours(1));
        _queries.Clear();
        await _store.InsertAsync(new NewMessage("alice", "inbox", "one", [new Delivery("bob", "a")], t0, t0.AddSeconds(1)), quotas, ct);
        await _store.InsertAsync(new NewMessage("alice", "inbox", "two", [new Delivery("bob", "b"), new Delivery("carol", "b")], t0, t0.AddSeconds(1)), quotas, ct);
        await _store.InsertAsync(new NewMessage("alice", "inbox", "one", [new Delivery("bob", "a")], t0, t0.AddSeconds(1)), quotas, ct);
        var page = await _store.ListAsync(new ListQuery("bob", "inbox", 0, 10, t0), ct);
        await _store.GetAsync("bob", "a", "alice", t0, ct);
        await _store.ClaimPushAsync("bob", "a", "alice", ct);
        var pending = await _store.ListPendingEventsAsync(t0.AddSeconds(1), 10, ct);
        await _store.MarkEventsPublishedAsync(pending, ct);
        await _store.AcknowledgeAsync("bob", ["a"], ct);
        await _store.DeleteExpiredAsync(t0.AddSeconds(2), 100, ct);

        var indexes = new Dictionary<string, List<BsonDocument>>(StringComparer.Ordinal);
        foreach (var collection in new[] { "messages", "senderUsage" })
        {
            indexes[collection] = await (await _client.GetDatabase(_database).GetCollection<BsonDocument>(collection).Indexes.ListAsync(ct)).ToListAsync(ct);
        }

        var checkedQueries = new List<string>();
        while (_queries.TryDequeue(out var command))
        {
            var name = command.GetElement(0).Name;
            var collection = command[0].AsString;
            var filters = name switch
            {
                "find" or "count" or "distinct" => [command.GetValue(name == "find" ? "filter" : "query", new BsonDocument()).AsBsonDocument],
                "findAndModify" => [command.GetValue("query", new BsonDocument()).AsBsonDocument],
                "update" => command["updates"].AsBsonArray.Select(u => u["q"].AsBsonDocument).ToList(),
                "delete" => command["deletes"].AsBsonArray.Select(d => d["q"].AsBsonDocument).ToList(),
                "aggregate" => [command["pipeline"][0]["$match"].AsBsonDocument],
                _ => new List<BsonDocument>(),
            };
            foreach (var filter in filters)
            {
                var index = IndexUse.For(filter, indexes[collection]);
                Assert.True(index is not null, $"{name} on {collection} would scan the collection: {filter}");
                checkedQueries.Add($"{name} {collection} {index}");
            }

            if (name == "find" && collection == "messages" && command.Contains("sort") && FilterOf(command).Contains("messageBox"))
            {
                Assert.True(IndexUse.SortedBy(FilterOf(command), command["sort"].AsBsonDocument, indexes[collection]) is not null, $"a list would sort in memory: {command}");
            }
        }

        Assert.Equal(2, page.Messages.Count);
        Assert.Single(pending, p => p.Recipient == "carol");

        // Every kind of command the paths send was seen and checked, and the rule refuses what no index bounds.
        Assert.Superset(new HashSet<string> { "find", "update", "delete", "aggregate" }, checkedQueries.Select(q => q.Split(' ')[0]).ToHashSet());
        Assert.Contains(checkedQueries, q => q == "update senderUsage _id_");
        Assert.Contains(checkedQueries, q => q.StartsWith("find messages list", StringComparison.Ordinal));
        Assert.Contains(checkedQueries, q => q.StartsWith("find messages expiry", StringComparison.Ordinal));
        Assert.Contains(checkedQueries, q => q.StartsWith("aggregate messages", StringComparison.Ordinal));
        Assert.Null(IndexUse.For(new BsonDocument("messageBox", "inbox"), indexes["messages"]));
        Assert.Null(IndexUse.For(new BsonDocument("pushClaimed", new BsonDocument("$ne", true)), indexes["messages"]));
        Assert.Null(IndexUse.SortedBy(new BsonDocument("recipient", "bob"), new BsonDocument { ["createdAt"] = 1, ["seq"] = 1 }, indexes["messages"]));

        static BsonDocument FilterOf(BsonDocument find) => find.GetValue("filter", new BsonDocument()).AsBsonDocument;
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
