using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Crypto;

namespace PeerServ.Client.Tests;

/// <summary>Every call of the client against the standalone host, over both protocols where it matters.</summary>
public sealed class PeerServClientTests(RelayHost host) : IClassFixture<RelayHost>
{
    [Theory]
    [InlineData(PeerServProtocol.Brc104)]
    [InlineData(PeerServProtocol.Authrite)]
    public async Task SendListAck_EncryptedByDefault_PlaintextOnRequest(PeerServProtocol protocol)
    {
        using var alice = host.NewClient(options: new PeerServClientOptions { Protocol = protocol });
        using var bob = host.NewClient(options: new PeerServClientOptions { Protocol = protocol });

        var secret = await alice.SendAsync(bob.Identity.Hex, "inbox", "for bob's eyes 🌍");
        var open = await alice.SendAsync(bob.Identity.Hex, "inbox", "in the clear", encrypt: false);
        var page = await bob.ListAsync("inbox");

        Assert.Equal(secret.MessageId, alice.Format.MessageId(bob.Identity, "for bob's eyes 🌍"));
        Assert.Equal([("for bob's eyes 🌍", true), ("in the clear", false)], page.Messages.Select(m => (m.Body, m.WasEncrypted)));
        Assert.StartsWith("{\"encryptedMessage\":", page.Messages[0].RawBody, StringComparison.Ordinal);
        Assert.Equal("in the clear", page.Messages[1].RawBody);
        Assert.All(page.Messages, m => Assert.Equal(alice.Identity.Hex, m.Sender));
        Assert.Equal(2, await bob.AcknowledgeAsync(page.Messages.Select(m => m.MessageId)));
        Assert.Empty((await bob.ListAsync("inbox")).Messages);
    }

    [Fact]
    public async Task SameBodyAgain_IsTheSameMessage_NotStoredTwice()
    {
        using var alice = host.NewClient();
        using var bob = host.NewClient();

        var first = await alice.SendAsync(bob.Identity.Hex, "inbox", "once");
        var again = await alice.SendAsync(bob.Identity.Hex, "inbox", "once");

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Single((await bob.ListAsync("inbox")).Messages);
    }

    [Fact]
    public async Task SendToMany_EachRecipientItsOwnId_Paging()
    {
        using var alice = host.NewClient();
        using var bob = host.NewClient();
        using var carol = host.NewClient();

        var sent = await alice.SendToManyAsync([bob.Identity.Hex, carol.Identity.Hex], "news", "to both");
        await alice.SendAsync(bob.Identity.Hex, "news", "second", encrypt: false);
        var firstPage = await bob.ListAsync("news", new ListOptions(Limit: 1));
        var secondPage = await bob.ListAsync("news", new ListOptions(Limit: 1, Offset: firstPage.NextOffset));

        Assert.Equal([bob.Identity.Hex, carol.Identity.Hex], sent.Recipients.Select(r => r.Recipient));
        Assert.Equal(alice.Format.MessageId(carol.Identity, "to both"), sent.Recipients[1].MessageId);
        Assert.True(firstPage.HasMore);
        Assert.Equal(["to both", "second"], firstPage.Messages.Concat(secondPage.Messages).Select(m => m.Body));
        Assert.Equal("to both", Assert.Single((await carol.ListAsync("news")).Messages).Body);
    }

    [Fact]
    public async Task Refusals_AreOneExceptionWithTheRelaysCodeAndStatus()
    {
        using var alice = host.NewClient();
        using var bob = host.NewClient();
        await bob.SetPermissionAsync("private", -1, alice.Identity.Hex);

        var blocked = await Assert.ThrowsAsync<PeerServClientException>(() => alice.SendAsync(bob.Identity.Hex, "private", "let me in"));
        var unknown = await Assert.ThrowsAsync<PeerServClientException>(() => bob.AcknowledgeAsync(["never-sent"]));
        var badBox = await Assert.ThrowsAsync<PeerServClientException>(() => bob.ListAsync(" padded"));

        Assert.Equal((HttpStatusCode.Forbidden, "ERR_DELIVERY_BLOCKED"), (blocked.Status, blocked.Code));
        Assert.Equal((HttpStatusCode.BadRequest, "ERR_INVALID_ACKNOWLEDGMENT"), (unknown.Status, unknown.Code));
        Assert.Equal("ERR_INVALID_MESSAGEBOX", badBox.Code);
        Assert.Empty((await bob.ListAsync("private")).Messages);
    }

    [Fact]
    public async Task Permissions_SetGetList_AndQuotes()
    {
        using var alice = host.NewClient();
        using var bob = host.NewClient();
        using var carol = host.NewClient();
        await bob.SetPermissionAsync("notifications", -1, alice.Identity.Hex);
        await bob.SetPermissionAsync("notifications", 0);
        await carol.SetPermissionAsync("notifications", 25);

        var rule = await bob.GetPermissionAsync("notifications", alice.Identity.Hex);
        var boxWide = await bob.GetPermissionAsync("notifications");
        var none = await bob.GetPermissionAsync("inbox");
        var page = await bob.ListPermissionsAsync("notifications");
        var quote = await alice.QuoteAsync([bob.Identity.Hex, carol.Identity.Hex], "notifications");
        var single = await alice.QuoteAsync([carol.Identity.Hex], "notifications");

        Assert.Equal((alice.Identity.Hex, -1, "blocked"), (rule!.Sender, rule.RecipientFee, rule.Status));
        Assert.Equal((null, 0, "always_allow"), (boxWide!.Sender, boxWide.RecipientFee, boxWide.Status));
        Assert.Null(none);
        Assert.Equal(2, page.TotalCount);
        Assert.Equal([bob.Identity.Hex], quote.BlockedRecipients);
        Assert.Equal(25, quote.TotalFee);
        Assert.Equal((25, "payment_required", false), (single.Recipients[0].RecipientFee, single.Recipients[0].Status, single.Recipients[0].Blocked));
        Assert.Matches("^0[23][0-9a-f]{64}$", single.DeliveryAgentKey);
    }

    [Fact]
    public async Task Devices_RegisterList()
    {
        using var bob = host.NewClient();

        var id = await bob.RegisterDeviceAsync("client-test-token-0123456789", "android", "pixel");
        var again = await bob.RegisterDeviceAsync("client-test-token-0123456789", "android", "pixel");
        var devices = await bob.ListDevicesAsync();

        Assert.Equal(id, again);
        var device = Assert.Single(devices);
        Assert.Equal((id, "pixel", "android", "...0123456789", true), (device.Id, device.DeviceId, device.Platform, device.FcmToken, device.Active));
    }

    [Fact]
    public async Task PinnedServerKey_WrongKey_Refused()
    {
        using var wrong = host.NewClient(options: new PeerServClientOptions { ServerKey = PrivateKey.Generate().PublicKey.Hex });

        var refused = await Assert.ThrowsAsync<PeerServClientException>(() => wrong.ListAsync("inbox"));

        Assert.True(refused.AuthenticationFailed, refused.ToString());
    }

    [Fact]
    public async Task DependencyInjection_AddPeerServClient_ResolvesAWorkingClient()
    {
        using var bob = host.NewClient();
        var key = PrivateKey.Generate();
        var services = new ServiceCollection();
        services.AddPeerServClient(o =>
        {
            o.Relay = host.Server.BaseAddress;
            o.PrivateKey = key.ToHex();
        }).ConfigurePrimaryHttpMessageHandler(() => host.Server.CreateHandler());
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<PeerServClient>();
        await client.SendAsync(bob.Identity.Hex, "di", "through the factory");

        Assert.Equal(key.PublicKey, client.Identity);
        Assert.Equal("through the factory", Assert.Single((await bob.ListAsync("di")).Messages).Body);
    }
}
