using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

public sealed class StandaloneHostTests
{
    [Fact]
    public async Task FirstRun_CreatesOwnerOnlyKeyFile_LaterRunsReuseItAndKeepMessages()
    {
        string serverKey;
        using var first = new StandaloneFactory();
        using (var client = new RelayClient(PrivateKey.Generate(), first.Server.BaseAddress, first.Server.CreateHandler()))
        {
            await client.SendAsync(client.Identity, "persist", "still here", "p1");
            serverKey = await ServerKeyOf(first);
        }

        var keyFile = Path.Combine(first.DataDirectory, "server-key.hex");
        Assert.True(File.Exists(keyFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Equal(serverKey, PrivateKey.FromHex(await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).PublicKey.Hex);

        using var second = new SameDirectoryFactory(first.DataDirectory);
        using var again = new RelayClient(PrivateKey.Generate(), second.Server.BaseAddress, second.Server.CreateHandler());
        Assert.Equal(serverKey, await ServerKeyOf(second));
    }

    [Fact]
    public async Task Send_BodyOverLimit_Signed413()
    {
        using var factory = new SmallLimitsFactory();
        using var alice = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());

        var (status, json) = await alice.SendAsync(alice.Identity, "big", new string('x', 1025), "too-big");
        var (requestStatus, requestJson) = await alice.SendAsync(alice.Identity, "big", new string('x', 200_000), "way-too-big");

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "ERR_MESSAGE_BODY_TOO_LARGE"), (status, json.Code()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, requestStatus);
        Assert.Equal("error", requestJson.Str("status"));
        Assert.Empty(await alice.ListAsync("big"));
    }

    [Fact]
    public async Task Retention_ExpiredMessage_NeverListed()
    {
        using var factory = new SmallLimitsFactory();
        using var alice = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());
        await alice.SendAsync(alice.Identity, "short", "fleeting", "f1");

        await Task.Delay(TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        Assert.Empty(await alice.ListAsync("short"));
    }

    [Fact]
    public async Task Health_LiveAndReady_AnsweredWithoutAuth()
    {
        using var factory = new StandaloneFactory();
        using var http = factory.CreateClient();

        using var live = await http.GetAsync("/health/live", TestContext.Current.CancellationToken);
        using var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static async Task<string> ServerKeyOf(StandaloneFactory factory)
    {
        var handler = new PeerServ.Auth.Client.Brc104ClientHandler(PrivateKey.Generate(), factory.Server.CreateHandler());
        using var http = new HttpClient(handler);
        return (await handler.GetServerKeyAsync(factory.Server.BaseAddress)).Hex;
    }

    private sealed class SameDirectoryFactory(string directory) : StandaloneFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Standalone:DataDirectory", directory)];
    }
}
