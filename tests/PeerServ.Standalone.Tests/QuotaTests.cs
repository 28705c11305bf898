using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Standalone.Tests;

/// <summary>Quotas per recipient (messages and bytes held) and per sender (bytes per window), answered 429 ERR_QUOTA_EXCEEDED with nothing stored.</summary>
public sealed class QuotaTests
{
    [Fact]
    public async Task Recipient_AtItsMessageQuota_RefusedUntilItAcknowledges()
    {
        using var factory = new QuotaFactory(("Relay:MaxMessagesPerRecipient", "2"));
        using var alice = Client(factory);
        using var bob = Client(factory);
        await alice.SendAsync(bob.Identity, "inbox", "one", "q1");
        await alice.SendAsync(bob.Identity, "other", "two", "q2");

        var full = await alice.SendAsync(bob.Identity, "inbox", "three", "q3");
        var retry = await alice.SendAsync(bob.Identity, "inbox", "one", "q1");
        await bob.PostAsync("/acknowledgeMessage", new { messageIds = new[] { "q1" } });
        var afterAck = await alice.SendAsync(bob.Identity, "inbox", "three", "q3");

        Assert.Equal((HttpStatusCode.TooManyRequests, "ERR_QUOTA_EXCEEDED"), (full.Status, full.Json.Code()));
        Assert.Contains("recipientMessages", full.Json.Str("description"), StringComparison.Ordinal);
        Assert.Contains(bob.Identity, full.Json.Str("description"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal(HttpStatusCode.OK, afterAck.Status);
        Assert.Equal(["three"], (await bob.ListAsync("inbox")).Select(m => m.Str("body")));
    }

    [Fact]
    public async Task Sender_MultiRecipientSend_CountedOncePerRecipient_NothingStoredForAny()
    {
        using var factory = new QuotaFactory(("Relay:MaxSenderBytesPerWindow", "2500"));
        using var alice = Client(factory);
        var recipients = Enumerable.Range(0, 3).Select(_ => Client(factory)).ToList();
        var body = new string('x', 1000);

        var two = await alice.PostAsync("/sendMessage", new { message = new { recipients = recipients.Take(2).Select(r => r.Identity).ToArray(), messageBox = "inbox", body } });
        var third = await alice.PostAsync("/sendMessage", new { message = new { recipients = new[] { recipients[2].Identity, Client(factory).Identity }, messageBox = "inbox", body } });
        var someoneElse = await recipients[0].SendAsync(recipients[2].Identity, "inbox", body);

        Assert.Equal(HttpStatusCode.OK, two.Status);
        Assert.Equal((HttpStatusCode.TooManyRequests, "ERR_QUOTA_EXCEEDED"), (third.Status, third.Json.Code()));
        Assert.Contains("senderBytes", third.Json.Str("description"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, someoneElse.Status);
        Assert.Single(await recipients[2].ListAsync("inbox"));
        recipients.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task Recipient_AtItsByteQuota_Refused()
    {
        using var factory = new QuotaFactory(("Relay:MaxBytesPerRecipient", "4096"));
        using var alice = Client(factory);
        using var bob = Client(factory);

        var first = await alice.SendAsync(bob.Identity, "inbox", new string('a', 3000));
        var second = await alice.SendAsync(bob.Identity, "inbox", new string('b', 1500));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal((HttpStatusCode.TooManyRequests, "ERR_QUOTA_EXCEEDED"), (second.Status, second.Json.Code()));
        Assert.Contains("recipientBytes", second.Json.Str("description"), StringComparison.Ordinal);
        Assert.Single(await bob.ListAsync("inbox"));
    }

    private static RelayClient Client(StandaloneFactory factory) => new(PrivateKey.Generate(), factory.Server.BaseAddress, factory.Server.CreateHandler());

    private sealed class QuotaFactory(params (string Key, string Value)[] settings) : StandaloneFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => settings.Select(s => new KeyValuePair<string, string>(s.Key, s.Value));
    }
}
