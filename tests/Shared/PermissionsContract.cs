using System.Net;
using System.Text.Json;

namespace PeerServ.Tests.Relay;

/// <summary>
/// /permissions/* and their enforcement on sends, through real authenticated clients: the caller is always the
/// recipient whose rules it sets, reads and lists, and the sender of a quote.
/// </summary>
public abstract class PermissionsContract
{
    protected abstract RelayClient NewClient();

    [Fact]
    public async Task SetGetList_RoundTrip_BothCasingsAndTotal()
    {
        using var bob = NewClient();
        using var alice = NewClient();

        var (setStatus, set) = await bob.PostAsync("/permissions/set", new { messageBox = "notifications", recipientFee = -1, sender = alice.Identity });
        var (boxStatus, _) = await bob.PostAsync("/permissions/set", new { messageBox = "notifications", recipientFee = 0 });
        var (getStatus, got) = await bob.GetAsync($"/permissions/get?recipient={bob.Identity}&messageBox=notifications&sender={alice.Identity}");
        var (_, boxWide) = await bob.GetAsync("/permissions/get?messageBox=notifications");
        var (_, none) = await bob.GetAsync("/permissions/get?messageBox=inbox");
        var (listStatus, list) = await bob.GetAsync("/permissions/list?message_box=notifications&limit=10");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (setStatus, boxStatus, getStatus, listStatus));
        Assert.Equal("success", set.GetProperty("status").GetString());
        var permission = got.GetProperty("permission");
        Assert.Equal((alice.Identity, "notifications", -1, "blocked"),
            (permission.GetProperty("sender").GetString(), permission.GetProperty("messageBox").GetString(), permission.GetProperty("recipientFee").GetInt32(), permission.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, boxWide.GetProperty("permission").GetProperty("sender").ValueKind);
        Assert.Equal(JsonValueKind.Null, none.GetProperty("permission").ValueKind);
        Assert.Equal(2, list.GetProperty("totalCount").GetInt64());
        var rows = list.GetProperty("permissions").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("sender").ValueKind);
        Assert.Equal((alice.Identity, "notifications", "notifications", -1, -1, "blocked"),
            (rows[1].GetProperty("sender").GetString(), rows[1].GetProperty("messageBox").GetString(), rows[1].GetProperty("message_box").GetString(),
                rows[1].GetProperty("recipientFee").GetInt32(), rows[1].GetProperty("recipient_fee").GetInt32(), rows[1].GetProperty("status").GetString()));
        Assert.Equal(rows[1].GetProperty("createdAt").GetString(), rows[1].GetProperty("created_at").GetString());
    }

    [Fact]
    public async Task BlockedSender_403AndNothingStored_QuoteShowsIt()
    {
        using var bob = NewClient();
        using var carol = NewClient();
        using var alice = NewClient();
        await bob.PostAsync("/permissions/set", new { messageBox = "inbox", recipientFee = -1, sender = alice.Identity });

        var (status, refused) = await alice.PostAsync("/sendMessage", new { message = new { recipients = new[] { carol.Identity, bob.Identity }, messageBox = "inbox", body = "x", messageId = new[] { "b1", "b2" } } });
        var (_, single) = await alice.GetAsync($"/permissions/quote?recipient={bob.Identity}&messageBox=inbox");
        var (quoteStatus, multi) = await alice.GetAsync($"/permissions/quote?recipient={bob.Identity}&recipient={carol.Identity}&messageBox=inbox");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("ERR_DELIVERY_BLOCKED", refused.GetProperty("code").GetString());
        Assert.Empty(await carol.ListAsync("inbox"));
        Assert.Empty(await bob.ListAsync("inbox"));
        Assert.Equal((0, -1), (single.GetProperty("quote").GetProperty("deliveryFee").GetInt32(), single.GetProperty("quote").GetProperty("recipientFee").GetInt32()));
        Assert.Equal(HttpStatusCode.OK, quoteStatus);
        Assert.Equal([bob.Identity], multi.GetProperty("blockedRecipients").EnumerateArray().Select(e => e.GetString()));
        var quotes = multi.GetProperty("quotesByRecipient").EnumerateArray().ToDictionary(q => q.GetProperty("recipient").GetString()!, q => q.GetProperty("status").GetString());
        Assert.Equal("blocked", quotes[bob.Identity]);
        Assert.Equal("always_allow", quotes[carol.Identity]);
    }

    [Fact]
    public async Task Permissions_ForeignRecipientRefused_NothingOfAnotherIdentityVisible()
    {
        using var bob = NewClient();
        using var mallory = NewClient();
        await bob.PostAsync("/permissions/set", new { messageBox = "inbox", recipientFee = -1, sender = mallory.Identity });

        var (status, refused) = await mallory.GetAsync($"/permissions/get?recipient={bob.Identity}&messageBox=inbox&sender={mallory.Identity}");
        var (_, own) = await mallory.GetAsync("/permissions/list");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("ERR_FOREIGN_PERMISSIONS", refused.GetProperty("code").GetString());
        Assert.Equal(0, own.GetProperty("totalCount").GetInt64());
    }

    [Theory]
    [InlineData("{\"recipientFee\":0}", "ERR_INVALID_REQUEST")]
    [InlineData("{\"messageBox\":\"inbox\",\"recipientFee\":\"0\"}", "ERR_INVALID_REQUEST")]
    [InlineData("{\"messageBox\":\"inbox\",\"recipientFee\":1.5}", "ERR_INVALID_FEE_VALUE")]
    [InlineData("{\"messageBox\":\"inbox\",\"recipientFee\":-2}", "ERR_INVALID_FEE_VALUE")]
    [InlineData("{\"messageBox\":\"inbox\",\"recipientFee\":2147483647}", "ERR_INVALID_FEE_VALUE")]
    [InlineData("{\"messageBox\":\"inbox\",\"recipientFee\":0,\"sender\":\"nope\"}", "ERR_INVALID_PUBLIC_KEY")]
    [InlineData("{\"messageBox\":\" inbox\",\"recipientFee\":0}", "ERR_INVALID_MESSAGEBOX")]
    public async Task Set_BadInput_400Json(string body, string code)
    {
        using var bob = NewClient();

        var (status, json) = await bob.PostAsync("/permissions/set", body);

        Assert.Equal((HttpStatusCode.BadRequest, code), (status, json.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("/permissions/get", "ERR_MISSING_PARAMETERS")]
    [InlineData("/permissions/get?messageBox=inbox&sender=zz", "ERR_INVALID_PUBLIC_KEY")]
    [InlineData("/permissions/list?limit=0", "ERR_INVALID_LIMIT")]
    [InlineData("/permissions/list?limit=1001", "ERR_INVALID_LIMIT")]
    [InlineData("/permissions/list?offset=-1", "ERR_INVALID_OFFSET")]
    [InlineData("/permissions/quote?messageBox=inbox", "ERR_MISSING_PARAMETERS")]
    [InlineData("/permissions/quote?recipient=02ab&messageBox=inbox", "ERR_INVALID_PUBLIC_KEY")]
    public async Task Get_BadQuery_400Json(string pathAndQuery, string code)
    {
        using var bob = NewClient();

        var (status, json) = await bob.GetAsync(pathAndQuery);

        Assert.Equal((HttpStatusCode.BadRequest, code), (status, json.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Devices_RoundTrip_TruncatedTokens_SameIdOnRepeat_OwnOnly()
    {
        using var bob = NewClient();
        using var carol = NewClient();
        const string token = "fcm-token-0123456789-abcdefghij";

        var (status, first) = await bob.PostAsync("/registerDevice", new { fcmToken = "  " + token + " ", deviceId = "iPhone", platform = "ios" });
        var (_, again) = await bob.PostAsync("/registerDevice", new { fcmToken = token });
        var (_, bare) = await bob.PostAsync("/registerDevice", new { fcmToken = "second-token-xyz" });
        var (listStatus, listed) = await bob.GetAsync("/devices");
        var (_, other) = await carol.GetAsync("/devices");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (status, listStatus));
        Assert.Equal("Device registered successfully for push notifications", first.GetProperty("message").GetString());
        Assert.Equal(first.GetProperty("deviceId").GetInt64(), again.GetProperty("deviceId").GetInt64());
        var devices = listed.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(2, devices.Count);
        var phone = devices.Single(d => d.GetProperty("id").GetInt64() == first.GetProperty("deviceId").GetInt64());
        Assert.Equal("...abcdefghij", phone.GetProperty("fcmToken").GetString());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, true), (phone.GetProperty("deviceId").ValueKind, phone.GetProperty("platform").ValueKind, phone.GetProperty("active").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, phone.GetProperty("lastUsed").ValueKind);
        Assert.Equal(bare.GetProperty("deviceId").GetInt64(), devices[0].GetProperty("id").GetInt64());
        Assert.DoesNotContain(listed.ToString(), "fcm-token-0123", StringComparison.Ordinal);
        Assert.Empty(other.GetProperty("devices").EnumerateArray());
    }

    [Theory]
    [InlineData("{}", "ERR_INVALID_FCM_TOKEN")]
    [InlineData("{\"fcmToken\":\"   \"}", "ERR_INVALID_FCM_TOKEN")]
    [InlineData("{\"fcmToken\":42}", "ERR_INVALID_FCM_TOKEN")]
    [InlineData("{\"fcmToken\":\"t\",\"platform\":\"windows\"}", "ERR_INVALID_PLATFORM")]
    [InlineData("{\"fcmToken\":\"t\",\"deviceId\":7}", "ERR_INVALID_DEVICE_ID")]
    public async Task RegisterDevice_BadInput_400Json(string body, string code)
    {
        using var bob = NewClient();

        var (status, json) = await bob.PostAsync("/registerDevice", body);

        Assert.Equal((HttpStatusCode.BadRequest, code), (status, json.GetProperty("code").GetString()));
    }
}
