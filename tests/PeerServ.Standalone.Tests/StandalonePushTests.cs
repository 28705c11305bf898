using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Push;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>The standalone host pushes too: the same consumer on its in-memory bus, the same claim in its SQLite file.</summary>
public sealed class StandalonePushTests : IAsyncLifetime
{
    private FakeFcm _fcm = null!;
    private PushingStandalone _host = null!;

    public async ValueTask InitializeAsync()
    {
        _fcm = await FakeFcm.StartAsync();
        _host = new PushingStandalone(_fcm);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    [Fact]
    public async Task RegisteredDevice_NotificationSent_PushedOnce_InboxNot()
    {
        using var bob = new RelayClient(PrivateKey.Generate(), _host.Server.BaseAddress, _host.Server.CreateHandler());
        using var alice = new RelayClient(PrivateKey.Generate(), _host.Server.BaseAddress, _host.Server.CreateHandler());
        var (registered, _) = await bob.PostAsync("/registerDevice", new { fcmToken = "standalone-device-token", platform = "ios" });

        var (inbox, _) = await alice.SendAsync(bob.Identity, "inbox", "not pushed", "sa-inbox");
        var (notified, _) = await alice.SendAsync(bob.Identity, "notifications", "pushed by id only", "sa-note");
        var (resent, _) = await alice.SendAsync(bob.Identity, "notifications", "pushed by id only", "sa-note");
        var (later, _) = await alice.SendAsync(bob.Identity, "notifications", "a second one", "sa-later");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (registered, inbox, notified, resent, later));
        Assert.True(await _fcm.WaitForAsync(c => c.Count >= 2, TimeSpan.FromSeconds(20)), string.Join(",", _fcm.Calls.Select(Body)));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal(["sa-later", "sa-note"], _fcm.Delivered.Select(Body).Order(StringComparer.Ordinal));
        Assert.All(_fcm.Delivered, c => Assert.Equal("standalone-device-token", c.Token));
    }

    private static string? Body(FcmCall call) => call.Message.GetProperty("notification").GetProperty("body").GetString();

    private sealed class PushingStandalone(FakeFcm fcm) : StandaloneFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Push:CredentialsJson", fcm.ServiceAccountJson),
            new("Push:FcmUrl", fcm.Url.ToString()),
        ];
    }
}
