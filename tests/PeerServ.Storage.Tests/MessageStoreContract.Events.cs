namespace PeerServ.Storage.Tests;

/// <summary>What the event side asks of a store: the one message live delivery pushes, the outbox, the push claim.</summary>
public abstract partial class MessageStoreContract
{
    [Fact]
    public async Task Get_ReturnsOneSendersMessageWithItsBody_NothingOnceAcknowledgedOrExpired()
    {
        await Store.InsertAsync(Message("alice", "in-box", "from alice", T0, ("bob", "same")), None);
        await Store.InsertAsync(Message("carol", "in-box", "from carol", T0.AddSeconds(1), ("bob", "same")), None);

        var alices = await Store.GetAsync("bob", "same", "alice", T0, None);
        var carols = await Store.GetAsync("bob", "same", "carol", T0, None);
        var expired = await Store.GetAsync("bob", "same", "alice", T0.AddDays(31), None);
        var unknown = await Store.GetAsync("bob", "other", "alice", T0, None);
        await Store.AcknowledgeAsync("bob", ["same"], None);
        var acknowledged = await Store.GetAsync("bob", "same", "alice", T0, None);

        Assert.Equal(("bob", "same", "in-box", "alice", "from alice", T0), (alices!.Recipient, alices.MessageId, alices.MessageBox, alices.Sender, alices.Body, alices.CreatedAt));
        Assert.Equal("from carol", carols!.Body);
        Assert.Null(expired);
        Assert.Null(unknown);
        Assert.Null(acknowledged);
    }

    [Fact]
    public async Task Outbox_MarkingOneSendersEventLeavesAnotherSendersSameIdPending()
    {
        await Store.InsertAsync(Message("alice", "inbox", "from alice", T0, ("bob", "same")), None);
        await Store.InsertAsync(Message("carol", "inbox", "from carol", T0, ("bob", "same")), None);
        var pending = await Store.ListPendingEventsAsync(T0.AddSeconds(10), 10, None);

        await Store.MarkEventsPublishedAsync([pending.Single(p => p.Sender == "alice")], None);

        var after = await Store.ListPendingEventsAsync(T0.AddSeconds(10), 10, None);
        Assert.Equal(2, pending.Count);
        Assert.Equal("carol", Assert.Single(after).Sender);
    }

    [Fact]
    public async Task Outbox_NewMessagesPendingUntilMarkedPublished()
    {
        await Store.InsertAsync(Message("alice", "inbox", "1", T0, ("bob", "p1"), ("carol", "p1")), None);
        await Store.InsertAsync(Message("alice", "inbox", "2", T0.AddSeconds(1), ("bob", "p2")), None);

        var pending = await Store.ListPendingEventsAsync(T0.AddSeconds(10), 10, None);
        var early = await Store.ListPendingEventsAsync(T0.AddMilliseconds(500), 10, None);
        await Store.MarkEventsPublishedAsync([pending.Single(p => p.Recipient == "bob" && p.MessageId == "p1"), pending.Single(p => p.MessageId == "p2") with { Recipient = "nobody" }], None);
        var after = await Store.ListPendingEventsAsync(T0.AddSeconds(10), 10, None);
        var limited = await Store.ListPendingEventsAsync(T0.AddSeconds(10), 1, None);

        Assert.Equal(["bob/p1", "bob/p2", "carol/p1"], pending.Select(m => $"{m.Recipient}/{m.MessageId}").Order());
        Assert.Equal("bob/p2", $"{pending[^1].Recipient}/{pending[^1].MessageId}");
        Assert.Equal(2, early.Count);
        Assert.Equal(["carol/p1", "bob/p2"], after.Select(m => $"{m.Recipient}/{m.MessageId}"));
        Assert.Equal(1, after[0].BodyBytes);
        Assert.Single(limited);
        Assert.Equal(3, (await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages.Count + (await Store.ListAsync("carol", "inbox", 0, 10, T0, None)).Messages.Count);
    }

    [Fact]
    public async Task ClaimPush_OncePerMessage_NeverForAbsentOnes()
    {
        await Store.InsertAsync(Message("alice", "notifications", "n", T0, ("bob", "c1"), ("carol", "c1")), None);
        await Store.InsertAsync(Message("dave", "notifications", "n", T0, ("bob", "c1")), None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Store.ClaimPushAsync("bob", "c1", "alice", None)));
        var carol = await Store.ClaimPushAsync("carol", "c1", "alice", None);
        var dave = await Store.ClaimPushAsync("bob", "c1", "dave", None);
        var absent = await Store.ClaimPushAsync("bob", "nope", "alice", None);
        await Store.AcknowledgeAsync("carol", ["c1"], None);
        var acknowledged = await Store.ClaimPushAsync("carol", "c1", "alice", None);

        Assert.Equal(1, claims.Count(c => c));
        Assert.True(carol, "another recipient of the same send is its own claim");
        Assert.True(dave, "another sender's message with the same id is its own claim");
        Assert.False(absent);
        Assert.False(acknowledged);
        Assert.Single((await Store.ListAsync("bob", "notifications", 0, 10, T0, None)).Messages, m => m.Sender == "alice");
    }
}
