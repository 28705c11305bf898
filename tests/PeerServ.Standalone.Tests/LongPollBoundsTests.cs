using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Crypto;
using PeerServ.MailboxQuery.Events;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>Long-polls cost memory only while they wait, and one identity cannot take every waiting slot.</summary>
public sealed class LongPollBoundsTests
{
    [Fact]
    public async Task TimedOutLongPolls_OnManyNewBoxes_LeaveNoSignalsBehind()
    {
        using var factory = new TwoWaitersPerIdentityFactory();
        var signals = factory.Services.GetRequiredService<MailboxSignals>();
        var clients = Enumerable.Range(0, 20).Select(_ => new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler())).ToList();

        var polls = clients.SelectMany(c => Enumerable.Range(0, 2).Select(i => c.PostAsync("/listMessages", new { messageBox = $"never-{Guid.NewGuid():N}", waitSeconds = 1 }))).ToList();
        await Task.WhenAll(polls);

        Assert.All(polls, p => Assert.Equal(HttpStatusCode.OK, p.Result.Status));
        Assert.Equal(0, signals.Held);
        Assert.Equal(0, signals.Waiting);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task OneIdentity_OverItsWaitingSlots_AnsweredAtOnce_OthersStillWait()
    {
        using var factory = new TwoWaitersPerIdentityFactory();
        var signals = factory.Services.GetRequiredService<MailboxSignals>();
        using var greedy = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());
        using var other = new RelayClient(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());

        var held = Enumerable.Range(0, 2).Select(i => greedy.PostAsync("/listMessages", new { messageBox = $"slot-{i}", waitSeconds = 20 })).ToList();
        await UntilAsync(() => signals.Waiting == 2);
        var third = await greedy.PostAsync("/listMessages", new { messageBox = "slot-2", waitSeconds = 20 });
        var otherWaits = other.PostAsync("/listMessages", new { messageBox = "inbox", waitSeconds = 20 });
        await UntilAsync(() => signals.Waiting == 3);

        Assert.Equal(HttpStatusCode.OK, third.Status);
        Assert.Empty(third.Json.GetProperty("messages").EnumerateArray());
        Assert.All(held, h => Assert.False(h.IsCompleted));
        Assert.False(otherWaits.IsCompleted);

        await greedy.SendAsync(other.Identity, "inbox", "wake up", "w1");
        await greedy.SendAsync(greedy.Identity, "slot-0", "wake", "w2");
        await greedy.SendAsync(greedy.Identity, "slot-1", "wake", "w3");
        Assert.Equal("wake up", Assert.Single((await otherWaits).Json.GetProperty("messages").EnumerateArray()).Str("body"));
        await Task.WhenAll(held);
        Assert.Equal(0, signals.Waiting);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), "the condition never held");
    }

    private sealed class TwoWaitersPerIdentityFactory : StandaloneFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Relay:MaxWaitersPerIdentity", "2")];
    }
}
