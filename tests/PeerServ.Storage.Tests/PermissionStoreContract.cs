namespace PeerServ.Storage.Tests;

/// <summary>What every <see cref="IPermissionStore"/> must do; each backend's test class derives from this.</summary>
public abstract class PermissionStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract IPermissionStore Permissions { get; }

    [Fact]
    public async Task Set_ThenGet_ExactRuleRoundTrips()
    {
        var set = await Permissions.SetAsync("bob", "notifications", "alice", 5, T0, None);

        var got = await Permissions.GetAsync("bob", "notifications", "alice", None);

        Assert.Equal(new PermissionRule("bob", "notifications", "alice", 5, T0, T0), set);
        Assert.Equal(set, got);
        Assert.Null(await Permissions.GetAsync("bob", "notifications", null, None));
        Assert.Null(await Permissions.GetAsync("bob", "inbox", "alice", None));
        Assert.Null(await Permissions.GetAsync("alice", "notifications", "alice", None));
    }

    [Fact]
    public async Task BoxWideRule_IsOneRowHoweverOftenSet()
    {
        await Permissions.SetAsync("bob", "inbox", null, 0, T0, None);
        await Permissions.SetAsync("bob", "inbox", null, 7, T0.AddMinutes(1), None);
        var last = await Permissions.SetAsync("bob", "inbox", null, -1, T0.AddMinutes(2), None);

        var page = await Permissions.ListAsync(new PermissionQuery("bob", "inbox", 0, 100), None);

        var rule = Assert.Single(page.Rules);
        Assert.Equal(1, page.TotalCount);
        Assert.Equal(new PermissionRule("bob", "inbox", null, -1, T0, T0.AddMinutes(2)), rule);
        Assert.Equal(rule, last);
        Assert.Equal(rule, await Permissions.GetAsync("bob", "inbox", null, None));
    }

    [Fact]
    public async Task Set_Concurrently_OneRowWithOneOfTheFees()
    {
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Permissions.SetAsync("bob", "inbox", "alice", i, T0.AddSeconds(i), None)));

        var page = await Permissions.ListAsync(new PermissionQuery("bob", null, 0, 100), None);

        var rule = Assert.Single(page.Rules);
        Assert.InRange(rule.RecipientFee, 0, 5);
    }

    [Fact]
    public async Task List_ByBoxBoxWideFirstThenSender_PagedWithTotal()
    {
        await Permissions.SetAsync("bob", "notifications", "carol", 0, T0, None);
        await Permissions.SetAsync("bob", "inbox", "alice", -1, T0.AddSeconds(1), None);
        await Permissions.SetAsync("bob", "notifications", null, 10, T0.AddSeconds(2), None);
        await Permissions.SetAsync("bob", "notifications", "alice", 3, T0.AddSeconds(3), None);
        await Permissions.SetAsync("zed", "notifications", "alice", 3, T0, None);

        var all = await Permissions.ListAsync(new PermissionQuery("bob", null, 0, 100), None);
        var notifications = await Permissions.ListAsync(new PermissionQuery("bob", "notifications", 0, 100), None);
        var second = await Permissions.ListAsync(new PermissionQuery("bob", null, 1, 2), None);
        var beyond = await Permissions.ListAsync(new PermissionQuery("bob", null, 10, 2), None);

        Assert.Equal(["inbox/alice", "notifications/*", "notifications/alice", "notifications/carol"], all.Rules.Select(Name));
        Assert.Equal(4, all.TotalCount);
        Assert.Equal(["notifications/*", "notifications/alice", "notifications/carol"], notifications.Rules.Select(Name));
        Assert.Equal(3, notifications.TotalCount);
        Assert.Equal(["notifications/*", "notifications/alice"], second.Rules.Select(Name));
        Assert.Equal(4, second.TotalCount);
        Assert.Empty(beyond.Rules);
        Assert.Equal(4, beyond.TotalCount);
    }

    [Fact]
    public async Task FindApplicable_SenderRuleBeatsBoxWide_OthersAbsent()
    {
        await Permissions.SetAsync("bob", "notifications", null, 10, T0, None);
        await Permissions.SetAsync("bob", "notifications", "alice", 0, T0, None);
        await Permissions.SetAsync("carol", "notifications", null, -1, T0, None);
        await Permissions.SetAsync("dave", "notifications", "mallory", -1, T0, None);
        await Permissions.SetAsync("erin", "inbox", "alice", -1, T0, None);

        var found = await Permissions.FindApplicableAsync("alice", "notifications", ["bob", "carol", "dave", "erin", "nobody"], None);

        Assert.Equal(["bob", "carol"], found.Keys.Order());
        Assert.Equal(("alice", 0), (found["bob"].Sender, found["bob"].RecipientFee));
        Assert.Equal((null, -1), (found["carol"].Sender, found["carol"].RecipientFee));
    }

    [Fact]
    public async Task FindApplicable_AfterEachChange_SeesTheRuleNow()
    {
        // Looked up before any rule, then after each kind of change: a lookup never answers from before a change.
        Assert.Empty(await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None));
        Assert.Empty(await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None));

        await Permissions.SetAsync("bob", "inbox", null, -1, T0, None);
        Assert.Equal((null, -1), Rule(await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None)));

        await Permissions.SetAsync("bob", "inbox", "alice", 5, T0, None);
        Assert.Equal(("alice", 5), Rule(await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None)));
        Assert.Equal((null, -1), Rule(await Permissions.FindApplicableAsync("carol", "inbox", ["bob"], None)));

        await Permissions.SetAsync("bob", "inbox", null, 0, T0, None);
        Assert.Equal((null, 0), Rule(await Permissions.FindApplicableAsync("carol", "inbox", ["bob"], None)));
        Assert.Equal(("alice", 5), Rule(await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None)));

        static (string?, int) Rule(IReadOnlyDictionary<string, PermissionRule> found) => (found["bob"].Sender, found["bob"].RecipientFee);
    }

    [Fact]
    public async Task FindApplicable_WritesRacingLookups_NoLookupAfterTheLastWriteIsStale()
    {
        // Lookups and changes of one rule at once; once the writes are done, every lookup sees the last one.
        var writes = Task.Run(async () =>
        {
            for (var fee = 1; fee <= 40; fee++)
            {
                await Permissions.SetAsync("bob", "inbox", "alice", fee, T0, None);
            }
        });
        var lookups = Task.Run(async () =>
        {
            while (!writes.IsCompleted)
            {
                await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None);
            }
        });
        await Task.WhenAll(writes, lookups);

        Assert.Equal(40, (await Permissions.FindApplicableAsync("alice", "inbox", ["bob"], None))["bob"].RecipientFee);
    }

    private static string Name(PermissionRule rule) => $"{rule.MessageBox}/{rule.Sender ?? "*"}";
}
