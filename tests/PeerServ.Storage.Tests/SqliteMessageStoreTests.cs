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
    public async Task MultiRecipientSend_BodyStoredOnceAndFreedWithItsLastDelivery()
    {
        var body = new string('b', 100_000);
        var recipients = Enumerable.Range(0, 50).Select(i => new Delivery($"r{i}", "m")).ToList();
        await _store.InsertAsync(new NewMessage("alice", "inbox", body, recipients, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);

        var stored = Query("SELECT count(*), total(length(body)) FROM bodies");
        foreach (var delivery in recipients.Take(49))
        {
            await _store.AcknowledgeAsync(delivery.Recipient, ["m"], CancellationToken.None);
        }

        var held = Query("SELECT count(*), total(length(body)) FROM bodies");
        await _store.AcknowledgeAsync("r49", ["m"], CancellationToken.None);

        Assert.Equal((1L, 100_000L), stored);
        Assert.Equal((1L, 100_000L), held);
        Assert.Equal((0L, 0L), Query("SELECT count(*), total(length(body)) FROM bodies"));
        Assert.Equal((0L, 0L), Query("SELECT count(*), 0 FROM recipient_usage"));
    }

    [Fact]
    public async Task Version0File_MigratedWithMessagesUsageAndRetryCheck()
    {
        var file = Path.Combine(_directory, "old.db");
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE messages (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, message_id TEXT NOT NULL, message_box TEXT NOT NULL,
                    sender TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                    event_pending INTEGER NOT NULL DEFAULT 1, UNIQUE (recipient, message_id));
                CREATE INDEX ix_messages_list ON messages (recipient, message_box, created_at, seq);
                CREATE INDEX ix_messages_expiry ON messages (expires_at);
                CREATE INDEX ix_messages_pending ON messages (created_at) WHERE event_pending = 1;
                INSERT INTO messages (recipient, message_id, message_box, sender, body, created_at, expires_at)
                VALUES ('bob', 'm1', 'inbox', 'alice', 'héllo', 1000, 9999999999999), ('bob', 'm2', 'inbox', 'alice', 'two', 2000, 9999999999999);
                """;
            create.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var migrated = new SqliteMessageStore(file);
        var page = await migrated.ListAsync(new ListQuery("bob", "inbox", 0, 10, DateTimeOffset.FromUnixTimeMilliseconds(3000), MaxBytes: 6), CancellationToken.None);
        var retry = await migrated.InsertAsync(new NewMessage("alice", "inbox", "héllo", [new Delivery("bob", "m1")], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);
        var changed = await migrated.InsertAsync(new NewMessage("alice", "inbox", "other", [new Delivery("bob", "m1")], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);
        var full = await migrated.InsertAsync(new NewMessage("carol", "inbox", "x", [new Delivery("bob", "m3")], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)),
            StoreQuotas.Unlimited with { MaxMessagesPerRecipient = 2 }, CancellationToken.None);

        Assert.Equal(["héllo"], page.Messages.Select(m => m.Body));
        Assert.True(page.HasMore, "the migrated row knows its body length (6 UTF-8 bytes), so the second does not fit");
        Assert.Equal(InsertResult.Stored, retry);
        Assert.NotNull(changed.Conflicting);
        Assert.Equal(QuotaExceeded.RecipientMessages, full.Exceeded?.Quota);
    }

    [Fact]
    public async Task Version2File_GainsPermissionsDevicesAndPushClaims_MessagesKept()
    {
        var file = Path.Combine(_directory, "v2.db");
        using (var created = new SqliteMessageStore(file))
        {
            await created.InsertAsync(new NewMessage("alice", "notifications", "kept", [new Delivery("bob", "m1")], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)), CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}"))
        {
            // Back to what a version-2 build wrote: no push claim, no permissions, no devices.
            old.Open();
            using var downgrade = old.CreateCommand();
            downgrade.CommandText = "ALTER TABLE messages DROP COLUMN push_claimed; DROP TABLE permissions; DROP TABLE devices; PRAGMA user_version = 2;";
            downgrade.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var storage = new SqliteStorage(file);
        var page = await storage.Messages.ListAsync("bob", "notifications", 0, 10, DateTimeOffset.UtcNow, CancellationToken.None);
        var claimed = await storage.Messages.ClaimPushAsync("bob", "m1", "alice", CancellationToken.None);
        await storage.Permissions.SetAsync("bob", "notifications", null, -1, DateTimeOffset.UtcNow, CancellationToken.None);
        var device = await storage.Devices.RegisterAsync(new DeviceRegistration("bob", "t", null, null, DateTimeOffset.UtcNow), 5, CancellationToken.None);

        Assert.Equal("kept", Assert.Single(page.Messages).Body);
        Assert.True(claimed);
        Assert.Equal(-1, (await storage.Permissions.GetAsync("bob", "notifications", null, CancellationToken.None))?.RecipientFee);
        Assert.True(device.Id > 0);
    }

    [Fact]
    public async Task UnwritableLocation_ThrowsStoreUnavailable()
    {
        var blocked = Path.Combine(_directory, "not-a-dir");
        await File.WriteAllTextAsync(blocked, "file, not a directory", TestContext.Current.CancellationToken);

        Assert.Throws<StoreUnavailableException>(() => new SqliteMessageStore(Path.Combine(blocked, "relay.db")));
    }

    private (long, long) Query(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "relay.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), (long)reader.GetDouble(1));
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
