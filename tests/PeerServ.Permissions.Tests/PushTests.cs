using System.Text.Json;
using MassTransit.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeerServ.Auth.Crypto;
using PeerServ.Contracts;
using PeerServ.Permissions.Push;
using PeerServ.Storage;
using PeerServ.Tests.Push;
using PeerServ.Tests.Services;

namespace PeerServ.Permissions.Tests;

/// <summary>
/// Push through the FCM HTTP v1 API, against a fake of Google's token and FCM endpoints: what is sent (no content),
/// to whom (active devices, push boxes only), once per message, the token bookkeeping, the retries, and that no
/// secret reaches a log.
/// </summary>
public sealed class PushTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly PrivateKey _bob = PrivateKey.Generate();
    private readonly string _alice = PrivateKey.Generate().PublicKey.Hex;
    private readonly CapturedLogs _logs = new();
    private FakeFcm _fcm = null!;
    private ServiceFactory<Program> _service = null!;

    public async ValueTask InitializeAsync()
    {
        _fcm = await FakeFcm.StartAsync();
        _service = new ServiceFactory<Program>(new Dictionary<string, string>
        {
            ["Push:CredentialsJson"] = _fcm.ServiceAccountJson,
            ["Push:FcmUrl"] = _fcm.Url.ToString(),
            ["Push:RetryDelayMilliseconds"] = "100",
            ["Logging:LogLevel:Default"] = "Trace",
        }, host => host.ConfigureLogging(l => l.AddProvider(_logs)));
        _ = _service.Services;
    }

    public async ValueTask DisposeAsync()
    {
        await _service.DisposeAsync();
        await _fcm.DisposeAsync();
    }

    [Fact]
    public async Task NewNotification_PushedOnceToEachActiveDevice_NamingTheMessageNotItsContent()
    {
        await RegisterAsync("ios-device-token-0001", "ios");
        await RegisterAsync("android-device-token-0002", "android");
        var id = await StoreAsync("notifications", "the secret body");

        await PublishAsync("notifications", id);

        Assert.True(await _fcm.WaitForAsync(c => c.Count >= 2, Wait), Describe());
        Assert.Equal(["android-device-token-0002", "ios-device-token-0001"], _fcm.Delivered.Select(c => c.Token).Order(StringComparer.Ordinal));
        var message = _fcm.Delivered[0].Message;
        Assert.Equal(FakeFcm.ProjectId, _fcm.Delivered[0].Project);
        Assert.Equal(("New Message", id), (message.GetProperty("notification").GetProperty("title").GetString(), message.GetProperty("notification").GetProperty("body").GetString()));
        Assert.Equal("high", message.GetProperty("android").GetProperty("priority").GetString());
        Assert.Equal((id, "unknown"), (message.GetProperty("android").GetProperty("data").GetProperty("messageId").GetString(), message.GetProperty("android").GetProperty("data").GetProperty("originator").GetString()));
        var apns = message.GetProperty("apns").GetProperty("payload");
        Assert.Equal((1, id, "unknown"), (apns.GetProperty("aps").GetProperty("mutable-content").GetInt32(), apns.GetProperty("messageId").GetString(), apns.GetProperty("originator").GetString()));
        var sent = message.GetRawText();
        Assert.DoesNotContain("the secret body", sent, StringComparison.Ordinal);
        Assert.DoesNotContain(_alice, sent, StringComparison.Ordinal);
        Assert.True(await UntilAsync(async () => (await DevicesAsync()).All(d => d.LastUsed is not null)), "last_used is not recorded");
    }

    [Fact]
    public async Task SameMessageSentThreeTimes_OnePushPerDevice()
    {
        await RegisterAsync("single-device-token", "web");
        var id = await StoreAsync("notifications", "once");
        var second = await StoreAsync("notifications", "a later one");

        await PublishAsync("notifications", id);
        await PublishAsync("notifications", id);
        await PublishAsync("notifications", id);
        await PublishAsync("notifications", second);

        Assert.True(await _fcm.WaitForAsync(c => c.Any(x => Body(x) == second), Wait), Describe());
        Assert.True(await UntilAsync(() => Task.FromResult(_service.Harness.Consumed.Select<MessageSent>(m => m.Context.Message.MessageId == id).Count() == 3)), "the three copies were not all consumed");
        Assert.Single(_fcm.Calls, c => Body(c) == id);
    }

    [Fact]
    public async Task OtherBoxes_AcknowledgedMessages_InactiveDevices_NoPush()
    {
        await RegisterAsync("unregistered-token-1", "android");
        await RegisterAsync("good-token-1", "ios");
        var inbox = await StoreAsync("inbox", "not a notification");
        var first = await StoreAsync("notifications", "marks the dead token");
        var acknowledged = await StoreAsync("notifications", "read before its event");
        await _service.Store.AcknowledgeAsync(_bob.PublicKey.Hex, [acknowledged], CancellationToken.None);

        await PublishAsync("inbox", inbox);
        await PublishAsync("notifications", acknowledged);
        await PublishAsync("notifications", first);
        Assert.True(await _fcm.WaitForAsync(c => c.Count(x => Body(x) == first) == 2, Wait), Describe());
        Assert.True(await UntilAsync(async () => (await DevicesAsync()).Single(d => d.FcmToken.StartsWith("unregistered", StringComparison.Ordinal)).Active is false), "the unregistered token stays active");
        var later = await StoreAsync("notifications", "after");
        await PublishAsync("notifications", later);

        Assert.True(await _fcm.WaitForAsync(c => c.Any(x => Body(x) == later), Wait), Describe());
        Assert.True(await _service.Harness.Consumed.Any<MessageSent>(m => m.Context.Message.MessageId == inbox));
        Assert.DoesNotContain(_fcm.Calls, c => Body(c) == inbox || Body(c) == acknowledged);
        Assert.Equal(["good-token-1"], _fcm.Calls.Where(c => Body(c) == later).Select(c => c.Token));
    }

    [Fact]
    public async Task InvalidToken_MarkedInactive_FlakyFcm_RetriedAndDelivered_DownFcm_TokenKept()
    {
        await RegisterAsync("invalid-token-1", "ios");
        await RegisterAsync("flaky-token-1", "ios");
        await RegisterAsync("down-token-1", "android");
        var id = await StoreAsync("notifications", "retry me");

        await PublishAsync("notifications", id);

        // The retry delays run on the service's clock (fake): advance it until the retries are spent.
        Assert.True(await _service.AdvanceUntilAsync(TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200),
            () => Task.FromResult(_fcm.Calls.Count(c => c.Token == "down-token-1") == 4 && _fcm.Delivered.Any(c => c.Token == "flaky-token-1"))), Describe());
        var devices = await DevicesAsync();
        Assert.True(await UntilAsync(async () => (await DevicesAsync()).Single(d => d.FcmToken == "invalid-token-1").Active is false), "the invalid token stays active");
        Assert.Equal(2, _fcm.Calls.Count(c => c.Token == "flaky-token-1"));
        Assert.Single(_fcm.Calls, c => c.Token == "invalid-token-1");
        Assert.True(devices.Single(d => d.FcmToken == "down-token-1").Active);
    }

    [Fact]
    public async Task Logs_NeverShowTheKeyTheAccessTokenOrADeviceToken()
    {
        await RegisterAsync("secret-device-token-abcdef0123456789", "ios");
        await RegisterAsync("unregistered-secret-token-0123456789", "ios");
        var id = await StoreAsync("notifications", "log check");

        await PublishAsync("notifications", id);
        Assert.True(await _fcm.WaitForAsync(c => c.Count >= 2, Wait), Describe());
        Assert.True(await UntilAsync(async () => (await DevicesAsync()).Any(d => !d.Active)));

        var logs = string.Join("\n", _logs.Lines);
        Assert.Contains("not delivered", logs, StringComparison.Ordinal);
        Assert.NotEmpty(_fcm.IssuedAccessTokens);
        foreach (var secret in _fcm.IssuedAccessTokens.Append("secret-device-token-abcdef0123456789").Append("unregistered-secret-token-0123456789"))
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }

        var keyLine = _fcm.PrivateKeyPem.Split('\n')[2];
        Assert.DoesNotContain(keyLine, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessToken_FetchedOnceAndReused()
    {
        await RegisterAsync("reuse-token-1", "ios");
        var first = await StoreAsync("notifications", "one");
        var second = await StoreAsync("notifications", "two");

        await PublishAsync("notifications", first);
        await PublishAsync("notifications", second);

        Assert.True(await _fcm.WaitForAsync(c => c.Count >= 2, Wait), Describe());
        Assert.Equal(1, _fcm.TokenRequests);
    }

    private async Task RegisterAsync(string token, string platform)
    {
        var (status, json, _) = await _service.PostAsync(_bob, "/registerDevice", new { fcmToken = token, platform });
        Assert.True(status == 200, json.ToString());
    }

    private async Task<string> StoreAsync(string box, string body)
    {
        var id = "m-" + Guid.NewGuid().ToString("N");
        var now = _service.Time.GetUtcNow();
        await _service.Store.InsertAsync(new NewMessage(_alice, box, body, [new Delivery(_bob.PublicKey.Hex, id)], now, now.AddDays(30)), CancellationToken.None);
        return id;
    }

    private Task PublishAsync(string box, string id) =>
        _service.Harness.Bus.Publish(new MessageSent(_bob.PublicKey.Hex, box, id, _alice, _service.Time.GetUtcNow(), 10));

    private Task<IReadOnlyList<RegisteredDevice>> DevicesAsync() => _service.Storage.Devices.ListAsync(_bob.PublicKey.Hex, CancellationToken.None);

    private static string? Body(FcmCall call) => call.Message.GetProperty("notification").GetProperty("body").GetString();

    private string Describe() => JsonSerializer.Serialize(_fcm.Calls.Select(c => new { c.Token, c.Status, body = Body(c) }));

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Wait)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }
}
