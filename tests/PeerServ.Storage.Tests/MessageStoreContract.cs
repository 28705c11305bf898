namespace PeerServ.Storage.Tests;

/// <summary>What every <see cref="IMessageStore"/> must do; each backend's test class derives from this.</summary>
public abstract partial class MessageStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract IMessageStore Store { get; }

    [Fact]
    public async Task Insert_ThenList_BodyAndFieldsExactlyAsStored()
    {
        const string body = "héllo 🌍 𝄞 {\"json\":[1,2]} \t\n\u0001 end";
        await Store.PingAsync(None);
        var result = await Store.InsertAsync(Message("alice", "inbox", body, T0, ("bob", "m1")), None);

        var page = await Store.ListAsync("bob", "inbox", 0, 10, T0, None);

        Assert.Null(result.Conflicting);
        var message = Assert.Single(page.Messages);
        Assert.Equal(("bob", "m1", "inbox", "alice", body, T0), (message.Recipient, message.MessageId, message.MessageBox, message.Sender, message.Body, message.CreatedAt));
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Insert_SameIdSameContentAgain_IdempotentAndStoredOnce()
    {
        await Store.InsertAsync(Message("alice", "inbox", "x", T0, ("bob", "m1")), None);

        var again = await Store.InsertAsync(Message("alice", "inbox", "x", T0.AddSeconds(5), ("bob", "m1")), None);

        Assert.Null(again.Conflicting);
        Assert.Single((await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages);
    }

    [Theory]
    [InlineData("alice", "other", "x")]
    [InlineData("alice", "inbox", "y")]
    public async Task Insert_SameIdDifferentContent_ConflictAndOriginalKept(string sender, string box, string body)
    {
        await Store.InsertAsync(Message("alice", "inbox", "x", T0, ("bob", "m1")), None);

        var conflict = await Store.InsertAsync(Message(sender, box, body, T0, ("bob", "m1")), None);

        Assert.NotNull(conflict.Conflicting);
        Assert.Equal(new Delivery("bob", "m1"), conflict.Conflicting);
        var kept = Assert.Single((await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages);
        Assert.Equal(("alice", "x"), (kept.Sender, kept.Body));
    }

    [Fact]
    public async Task Insert_SameIdFromAnotherSender_BothStoredNeitherRevealed()
    {
        await Store.InsertAsync(Message("alice", "inbox", "from alice", T0, ("bob", "order-1001")), None);

        var other = await Store.InsertAsync(Message("mallory", "inbox", "from mallory", T0.AddMilliseconds(1), ("bob", "order-1001")), None);
        var listed = await Store.ListAsync("bob", "inbox", 0, 10, T0, None);
        var deleted = await Store.AcknowledgeAsync("bob", ["order-1001"], None);

        Assert.Equal(InsertResult.Stored, other);
        Assert.Equal([("alice", "from alice"), ("mallory", "from mallory")], listed.Messages.Select(m => (m.Sender, m.Body)));
        Assert.Equal(["order-1001"], deleted);
        Assert.Empty((await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages);
    }

    [Fact]
    public async Task List_ByteBudget_PageStopsBeforeTheBodyThatDoesNotFit()
    {
        foreach (var (id, size) in new[] { ("a", 400), ("b", 400), ("c", 400), ("d", 10) })
        {
            await Store.InsertAsync(Message("alice", "inbox", new string('x', size), T0.AddMilliseconds(id[0]), ("bob", id)), None);
        }

        var page = await Store.ListAsync(new ListQuery("bob", "inbox", 0, 10, T0, MaxBytes: 1000, OverheadBytesPerMessage: 50), None);
        var next = await Store.ListAsync(new ListQuery("bob", "inbox", 2, 10, T0, MaxBytes: 1000, OverheadBytesPerMessage: 50), None);
        var tight = await Store.ListAsync(new ListQuery("bob", "inbox", 0, 10, T0, MaxBytes: 300), None);
        var multiByte = await Store.InsertAsync(Message("alice", "utf8", "€€€", T0, ("bob", "e")), None);
        var counted = await Store.ListAsync(new ListQuery("bob", "utf8", 0, 10, T0, MaxBytes: 8), None);

        Assert.Equal(["a", "b"], page.Messages.Select(m => m.MessageId));
        Assert.True(page.HasMore);
        Assert.False(page.OldestTooLarge);
        Assert.Equal(["c", "d"], next.Messages.Select(m => m.MessageId));
        Assert.False(next.HasMore);
        Assert.Equal((0, true, true), (tight.Messages.Count, tight.HasMore, tight.OldestTooLarge));
        Assert.Null(multiByte.Conflicting);
        Assert.True(counted.OldestTooLarge, "a body is counted in UTF-8 bytes (9 for three euro signs), not characters");
    }

    [Fact]
    public async Task Quota_RecipientMessages_RefusedWithNothingStoredUntilAcknowledged()
    {
        var quotas = StoreQuotas.Unlimited with { MaxMessagesPerRecipient = 2 };
        await Store.InsertAsync(Message("alice", "inbox", "1", T0, ("bob", "q1")), quotas, None);
        await Store.InsertAsync(Message("alice", "other", "2", T0, ("bob", "q2")), quotas, None);

        var full = await Store.InsertAsync(Message("carol", "inbox", "3", T0, ("dave", "q3"), ("bob", "q3")), quotas, None);
        var daveBefore = (await Store.ListAsync("dave", "inbox", 0, 10, T0, None)).Messages;
        var retry = await Store.InsertAsync(Message("alice", "inbox", "1", T0, ("bob", "q1")), quotas, None);
        await Store.AcknowledgeAsync("bob", ["q1"], None);
        var afterAck = await Store.InsertAsync(Message("carol", "inbox", "3", T0, ("dave", "q3"), ("bob", "q3")), quotas, None);

        Assert.Equal(new QuotaExceeded(QuotaExceeded.RecipientMessages, "bob", 2), full.Exceeded);
        Assert.Empty(daveBefore);
        Assert.Equal(InsertResult.Stored, retry);
        Assert.Equal(InsertResult.Stored, afterAck);
        Assert.Single((await Store.ListAsync("dave", "inbox", 0, 10, T0, None)).Messages);
    }

    [Fact]
    public async Task Quota_RecipientBytes_CountsHeldBodiesAndExpirySweepReleasesThem()
    {
        var quotas = StoreQuotas.Unlimited with { MaxBytesPerRecipient = 1000 };
        await Store.InsertAsync(Message("alice", "inbox", new string('x', 600), T0, ("bob", "big")) with { ExpiresAt = T0.AddHours(1) }, quotas, None);

        var over = await Store.InsertAsync(Message("carol", "inbox", new string('y', 401), T0, ("bob", "more")), quotas, None);
        var fits = await Store.InsertAsync(Message("carol", "inbox", new string('y', 400), T0, ("bob", "fits")), quotas, None);
        var full = await Store.InsertAsync(Message("carol", "inbox", "z", T0, ("bob", "full")), quotas, None);
        await Store.DeleteExpiredAsync(T0.AddHours(2), 10, None);
        var afterSweep = await Store.InsertAsync(Message("carol", "inbox", "z", T0, ("bob", "full")), quotas, None);

        Assert.Equal(new QuotaExceeded(QuotaExceeded.RecipientBytes, "bob", 1000), over.Exceeded);
        Assert.Equal(InsertResult.Stored, fits);
        Assert.Equal(QuotaExceeded.RecipientBytes, full.Exceeded?.Quota);
        Assert.Equal(InsertResult.Stored, afterSweep);
    }

    [Fact]
    public async Task Quota_SenderBytes_CountedPerRecipientWithinTheWindow()
    {
        var quotas = StoreQuotas.Unlimited with { MaxSenderBytesPerWindow = 1000, SenderWindow = TimeSpan.FromHours(1) };
        var start = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var body = new string('x', 300);

        var three = await Store.InsertAsync(Message("alice", "inbox", body, start, ("r1", "a"), ("r2", "a"), ("r3", "a")), quotas, None);
        var retry = await Store.InsertAsync(Message("alice", "inbox", body, start.AddMinutes(1), ("r1", "a")), quotas, None);
        var fourth = await Store.InsertAsync(Message("alice", "inbox", body, start.AddMinutes(59), ("r4", "a")), quotas, None);
        var other = await Store.InsertAsync(Message("carol", "inbox", body, start.AddMinutes(59), ("r4", "a")), quotas, None);
        var nextWindow = await Store.InsertAsync(Message("alice", "inbox", body, start.AddMinutes(60), ("r4", "a")), quotas, None);

        Assert.Equal(InsertResult.Stored, three);
        Assert.Equal(InsertResult.Stored, retry);
        Assert.Equal(new QuotaExceeded(QuotaExceeded.SenderBytes, null, 1000), fourth.Exceeded);
        Assert.Equal(InsertResult.Stored, other);
        Assert.Equal(InsertResult.Stored, nextWindow);
        Assert.Equal(["carol", "alice"], (await Store.ListAsync("r4", "inbox", 0, 10, start, None)).Messages.Select(m => m.Sender));
    }

    [Fact]
    public async Task Insert_MultiRecipientWithOneConflict_NothingStored()
    {
        await Store.InsertAsync(Message("alice", "inbox", "old", T0, ("carol", "m2")), None);

        var result = await Store.InsertAsync(Message("alice", "inbox", "new", T0, ("bob", "m1"), ("carol", "m2"), ("dave", "m3")), None);

        Assert.NotNull(result.Conflicting);
        Assert.Empty((await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages);
        Assert.Empty((await Store.ListAsync("dave", "inbox", 0, 10, T0, None)).Messages);
        Assert.Equal("old", Assert.Single((await Store.ListAsync("carol", "inbox", 0, 10, T0, None)).Messages).Body);
    }

    [Fact]
    public async Task Insert_SameIdForTwoRecipients_BothStored()
    {
        var result = await Store.InsertAsync(Message("alice", "inbox", "x", T0, ("bob", "same"), ("carol", "same")), None);

        Assert.Null(result.Conflicting);
        Assert.Single((await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages);
        Assert.Single((await Store.ListAsync("carol", "inbox", 0, 10, T0, None)).Messages);
    }

    [Fact]
    public async Task List_OnlyThatRecipientsMessagesInThatBox()
    {
        await Store.InsertAsync(Message("alice", "inbox", "1", T0, ("bob", "a")), None);
        await Store.InsertAsync(Message("alice", "other", "2", T0, ("bob", "b")), None);
        await Store.InsertAsync(Message("alice", "inbox", "3", T0, ("carol", "c")), None);

        Assert.Equal(["a"], (await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages.Select(m => m.MessageId));
        Assert.Empty((await Store.ListAsync("alice", "inbox", 0, 10, T0, None)).Messages);
        Assert.Empty((await Store.ListAsync("bob", "unknown", 0, 10, T0, None)).Messages);
    }

    [Fact]
    public async Task List_ArrivalOrderByCreatedTimeThenSequence()
    {
        await Store.InsertAsync(Message("alice", "inbox", "later", T0.AddSeconds(2), ("bob", "z-late")), None);
        await Store.InsertAsync(Message("alice", "inbox", "first", T0, ("bob", "y-first")), None);
        await Store.InsertAsync(Message("alice", "inbox", "second", T0, ("bob", "a-second")), None);

        var page = await Store.ListAsync("bob", "inbox", 0, 10, T0, None);

        Assert.Equal(["y-first", "a-second", "z-late"], page.Messages.Select(m => m.MessageId));
    }

    [Fact]
    public async Task List_Pages_OffsetLimitAndHasMore()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.InsertAsync(Message("alice", "inbox", $"{i}", T0.AddMilliseconds(i), ("bob", $"m{i}")), None);
        }

        var first = await Store.ListAsync("bob", "inbox", 0, 2, T0, None);
        var last = await Store.ListAsync("bob", "inbox", 4, 2, T0, None);
        var exact = await Store.ListAsync("bob", "inbox", 3, 2, T0, None);
        var past = await Store.ListAsync("bob", "inbox", 9, 2, T0, None);

        Assert.Equal(["m0", "m1"], first.Messages.Select(m => m.MessageId));
        Assert.True(first.HasMore);
        Assert.Equal(["m4"], last.Messages.Select(m => m.MessageId));
        Assert.False(last.HasMore);
        Assert.Equal(["m3", "m4"], exact.Messages.Select(m => m.MessageId));
        Assert.False(exact.HasMore);
        Assert.Empty(past.Messages);
        Assert.False(past.HasMore);
    }

    [Fact]
    public async Task Acknowledge_DeletesOnlyCallersMessagesInAnyBox()
    {
        await Store.InsertAsync(Message("alice", "inbox", "1", T0, ("bob", "a")), None);
        await Store.InsertAsync(Message("alice", "other", "2", T0, ("bob", "b")), None);
        await Store.InsertAsync(Message("alice", "inbox", "3", T0, ("carol", "c")), None);

        var stranger = await Store.AcknowledgeAsync("carol", ["a", "b"], None);
        var deleted = await Store.AcknowledgeAsync("bob", ["a", "b", "c", "missing"], None);

        Assert.Empty(stranger);
        Assert.Equal(["a", "b"], deleted.Order());
        Assert.Empty((await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages);
        Assert.Single((await Store.ListAsync("carol", "inbox", 0, 10, T0, None)).Messages);
        Assert.Empty(await Store.AcknowledgeAsync("bob", ["a"], None));
    }

    [Fact]
    public async Task Expiry_ExpiredNeverListedAndSweptInBatches()
    {
        await Store.InsertAsync(Message("alice", "inbox", "old1", T0, ("bob", "o1"), ("bob", "o2")) with { ExpiresAt = T0.AddHours(1) }, None);
        await Store.InsertAsync(Message("alice", "inbox", "new", T0, ("bob", "n")) with { ExpiresAt = T0.AddDays(30) }, None);
        var later = T0.AddHours(2);

        var visible = await Store.ListAsync("bob", "inbox", 0, 10, later, None);
        var firstSweep = await Store.DeleteExpiredAsync(later, 1, None);
        var secondSweep = await Store.DeleteExpiredAsync(later, 10, None);

        Assert.Equal(["n"], visible.Messages.Select(m => m.MessageId));
        Assert.Equal((1, 1), (firstSweep, secondSweep));
        Assert.Equal(["n"], (await Store.ListAsync("bob", "inbox", 0, 10, T0, None)).Messages.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Insert_ConcurrentSendersIntoNewBox_NothingLost()
    {
        var senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                var result = await Store.InsertAsync(Message($"s{s}", "burst", $"{s}/{i}", T0, ("bob", $"{s}-{i}")), None);
                Assert.Null(result.Conflicting);
            }
        }));

        await Task.WhenAll(senders);
        var page = await Store.ListAsync("bob", "burst", 0, 1000, T0, None);

        Assert.Equal(200, page.Messages.Select(m => m.MessageId).Distinct().Count());
    }

    private static NewMessage Message(string sender, string box, string body, DateTimeOffset createdAt, params (string Recipient, string Id)[] to) =>
        new(sender, box, body, [.. to.Select(t => new Delivery(t.Recipient, t.Id))], createdAt, createdAt.AddDays(30));
}
