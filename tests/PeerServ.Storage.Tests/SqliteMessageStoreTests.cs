using PeerServ.Storage.Sqlite;

namespace PeerServ.Storage.Tests;

public sealed class SqliteMessageStoreTests : MessageStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("peerserv-sqlite-").FullName;
    private readonly SqliteMessageStore _store;

    public SqliteMessageStoreTests() => _store = new SqliteMessageStore(Path.Combine(_directory, "relay.db"));

    protected override IMessageStore Store => _store;

    [Fact]
    public async Task Reopen_SameFile_MessagesSurvive()
    {
        await _store.InsertAsync(new NewMessage("alice", "inbox", "durable", [new Delivery("bob", "m1")], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);

        using var reopened = new SqliteMessageStore(Path.Combine(_directory, "relay.db"));
        var page = await reopened.ListAsync("bob", "inbox", 0, 10, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal("durable", Assert.Single(page.Messages).Body);
    }

    [Fact]
    public async Task UnwritableLocation_ThrowsStoreUnavailable()
    {
        var blocked = Path.Combine(_directory, "not-a-dir");
        await File.WriteAllTextAsync(blocked, "file, not a directory", TestContext.Current.CancellationToken);

        Assert.Throws<StoreUnavailableException>(() => new SqliteMessageStore(Path.Combine(blocked, "relay.db")));
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
