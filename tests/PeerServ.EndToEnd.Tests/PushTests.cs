using System.Net;
using System.Security.Cryptography;
using MassTransit;
using PeerServ.Auth.Crypto;
using PeerServ.Contracts;
using PeerServ.Tests.Push;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// Push through the distributed stack: devices registered through the gateway, messages sent through it, pushes from
/// the two permissions replicas (sharing one durable queue) to the fake FCM — once per message, even when the event
/// reaches the broker again, and never for other boxes.
/// </summary>
[Collection(DistributedStackCollection.Name)]
public sealed class PushTests(DistributedStack stack)
{
    [Fact]
    public async Task Notifications_PushedExactlyOnceAcrossTwoReplicas_EvenWithTheEventRepublished_OtherBoxesNever()
    {
        using var bob = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());
        using var alice = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());
        var token = "e2e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var (registered, registration) = await bob.PostAsync("/registerDevice", new { fcmToken = token, platform = "android" });
        Assert.True(registered == HttpStatusCode.OK, registration.ToString());
        var ids = Enumerable.Range(1, 6).Select(i => $"push-{i}-{token}").ToList();
        foreach (var id in ids)
        {
            var (sent, json) = await alice.SendAsync(bob.Identity, "notifications", "body never pushed", id);
            Assert.True(sent == HttpStatusCode.OK, json.ToString());
        }

        var (inboxSent, _) = await alice.SendAsync(bob.Identity, "inbox", "not pushed", "inbox-" + token);
        Assert.Equal(HttpStatusCode.OK, inboxSent);
        // The outbox publishes at least once: deliver every event four more times, to whichever replica takes it.
        await RepublishAsync(ids.Select(id => new MessageSent(bob.Identity, "notifications", id, alice.Identity, DateTimeOffset.UtcNow, 17)), copies: 4);

        Assert.True(await stack.Fcm.WaitForAsync(c => ids.All(id => c.Any(x => x.Token == token && Body(x) == id)), TimeSpan.FromSeconds(60)), Describe(token));
        // Time for a duplicate to show up, if either replica were to push one.
        var inboxProbe = "late-" + token;
        var (probeSent, _) = await alice.SendAsync(bob.Identity, "notifications", "probe", inboxProbe);
        Assert.Equal(HttpStatusCode.OK, probeSent);
        Assert.True(await stack.Fcm.WaitForAsync(c => c.Any(x => Body(x) == inboxProbe), TimeSpan.FromSeconds(60)), Describe(token));
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var calls = stack.Fcm.Calls.Where(c => c.Token == token).ToList();
        Assert.All(ids, id => Assert.Single(calls, c => Body(c) == id));
        Assert.DoesNotContain(calls, c => Body(c) == "inbox-" + token);
        Assert.DoesNotContain(calls, c => c.Message.GetRawText().Contains("body never pushed", StringComparison.Ordinal));
        var (_, devices) = await bob.GetAsync("/devices");
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, Assert.Single(devices.GetProperty("devices").EnumerateArray()).GetProperty("lastUsed").ValueKind);
    }

    private async Task RepublishAsync(IEnumerable<MessageSent> events, int copies)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(stack.RabbitMq)));
        await bus.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            foreach (var sent in events)
            {
                for (var i = 0; i < copies; i++)
                {
                    await bus.Publish(sent, TestContext.Current.CancellationToken);
                }
            }
        }
        finally
        {
            await bus.StopAsync(TestContext.Current.CancellationToken);
        }
    }

    private static string? Body(FcmCall call) => call.Message.GetProperty("notification").GetProperty("body").GetString();

    private string Describe(string token) => string.Join(", ", stack.Fcm.Calls.Where(c => c.Token == token).Select(c => $"{Body(c)}:{c.Status}"));
}
