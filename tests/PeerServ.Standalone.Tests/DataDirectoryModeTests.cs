using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>Every mailbox body stays with the relay's user: the data directory is 0700 and relay.db with its WAL files 0600, whatever the umask.</summary>
public sealed class DataDirectoryModeTests
{
    private const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task FreshDataDirectory_AfterTraffic_OwnerOnly()
    {
        using var factory = new NestedDirectoryFactory();
        using (var client = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler()))
        {
            await client.SendAsync(client.Identity, "private", "a body nobody else may read", "m1");
        }

        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(factory.Nested));
        foreach (var name in new[] { "relay.db", "relay.db-wal", "relay.db-shm", "server-key.hex" })
        {
            var file = Path.Combine(factory.Nested, name);
            Assert.True(File.Exists(file), name);
            Assert.Equal(OwnerFile, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task DataDirectoryOfAnOlderVersion_WorldReadable_TightenedAtStart()
    {
        using var factory = new NestedDirectoryFactory();
        Directory.CreateDirectory(factory.Nested);
        File.SetUnixFileMode(factory.Nested, OwnerDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var db = Path.Combine(factory.Nested, "relay.db");
        await File.WriteAllBytesAsync(db, [], TestContext.Current.CancellationToken);
        File.SetUnixFileMode(db, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (var client = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler()))
        {
            await client.SendAsync(client.Identity, "private", "body", "m2");
        }

        Assert.Equal(OwnerDirectory, File.GetUnixFileMode(factory.Nested));
        Assert.Equal(OwnerFile, File.GetUnixFileMode(db));
    }

    /// <summary>A data directory that does not exist yet (the factory's own temporary one is created 0700 by the test).</summary>
    private sealed class NestedDirectoryFactory : StandaloneFactory
    {
        public string Nested => Path.Combine(DataDirectory, "data");

        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Standalone:DataDirectory", Nested)];
    }
}
