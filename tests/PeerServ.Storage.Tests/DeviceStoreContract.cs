namespace PeerServ.Storage.Tests;

/// <summary>What every <see cref="IDeviceStore"/> must do; each backend's test class derives from this.</summary>
public abstract class DeviceStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract IDeviceStore Devices { get; }

    [Fact]
    public async Task Register_ThenList_FieldsAsGiven_NullsKept()
    {
        var phone = await Devices.RegisterAsync(new DeviceRegistration("bob", "token-phone", "iPhone", "ios", T0), 10, None);
        var bare = await Devices.RegisterAsync(new DeviceRegistration("bob", "token-bare", null, null, T0.AddSeconds(1)), 10, None);

        var listed = await Devices.ListAsync("bob", None);

        Assert.True(phone.Id > 0 && bare.Id > 0 && phone.Id != bare.Id);
        Assert.True(bare.Id <= (1L << 53) - 1, "ids stay exact in JavaScript");
        Assert.Equal([bare, phone], listed);
        Assert.Equal(new RegisteredDevice(phone.Id, "bob", "token-phone", "iPhone", "ios", true, T0, T0, null), phone);
        Assert.Equal((null, null), (bare.DeviceId, bare.Platform));
        Assert.Empty(await Devices.ListAsync("alice", None));
    }

    [Fact]
    public async Task RegisterAgain_SameIdUpdatedAndActive_OtherIdentityGetsItsOwn()
    {
        var first = await Devices.RegisterAsync(new DeviceRegistration("bob", "shared-token", "old", "android", T0), 10, None);
        await Devices.RecordPushAsync("bob", "shared-token", accepted: false, T0.AddSeconds(1), None);
        var inactive = Assert.Single(await Devices.ListAsync("bob", None));
        var again = await Devices.RegisterAsync(new DeviceRegistration("bob", "shared-token", "new", "ios", T0.AddSeconds(2)), 10, None);
        var other = await Devices.RegisterAsync(new DeviceRegistration("carol", "shared-token", null, "ios", T0.AddSeconds(3)), 10, None);

        Assert.False(inactive.Active);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(("new", "ios", true, T0, T0.AddSeconds(2)), (again.DeviceId, again.Platform, again.Active, again.CreatedAt, again.UpdatedAt));
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(again, Assert.Single(await Devices.ListAsync("bob", None)));
        Assert.Equal(other, Assert.Single(await Devices.ListAsync("carol", None)));
    }

    [Fact]
    public async Task Register_PastTheCap_LeastRecentlyUpdatedRemoved()
    {
        for (var i = 0; i < 4; i++)
        {
            await Devices.RegisterAsync(new DeviceRegistration("bob", $"t{i}", null, null, T0.AddSeconds(i)), 3, None);
        }

        await Devices.RegisterAsync(new DeviceRegistration("bob", "t1", null, null, T0.AddSeconds(10)), 3, None);
        await Devices.RegisterAsync(new DeviceRegistration("bob", "t4", null, null, T0.AddSeconds(11)), 3, None);

        Assert.Equal(["t4", "t1", "t3"], (await Devices.ListAsync("bob", None)).Select(d => d.FcmToken));
    }

    [Fact]
    public async Task RecordPush_AcceptedSetsLastUsed_UnregisterRemovesOnlyThatIdentitys()
    {
        await Devices.RegisterAsync(new DeviceRegistration("bob", "t", null, null, T0), 10, None);
        await Devices.RegisterAsync(new DeviceRegistration("carol", "t", null, null, T0), 10, None);

        await Devices.RecordPushAsync("bob", "t", accepted: true, T0.AddMinutes(5), None);
        var used = Assert.Single(await Devices.ListAsync("bob", None));
        var removed = await Devices.UnregisterAsync("bob", "t", None);
        var again = await Devices.UnregisterAsync("bob", "t", None);

        Assert.Equal((T0.AddMinutes(5), true, T0), (used.LastUsed, used.Active, used.UpdatedAt));
        Assert.True(removed);
        Assert.False(again);
        Assert.Empty(await Devices.ListAsync("bob", None));
        Assert.Single(await Devices.ListAsync("carol", None));
    }
}
