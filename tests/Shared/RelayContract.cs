using System.Diagnostics;
using System.Net;
using PeerServ.Auth.Client;

namespace PeerServ.Tests.Relay;

/// <summary>
/// The relay's wire semantics (design §3), run against every way of hosting it: each test talks to a live relay
/// through real authenticated clients and checks what came back, value by value.
/// </summary>
public abstract partial class RelayContract
{
    /// <summary>The protocol most tests speak; each host runs the contract once per protocol.</summary>
    protected abstract ClientProtocol Protocol { get; }

    /// <summary>A client with a new identity, speaking <paramref name="protocol"/> (default: the protocol under test).</summary>
    protected abstract RelayClient NewClient(ClientProtocol? protocol = null);

    private static string Box() => "box-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task SendListAck_RoundTrip_BodyExactAndBoxEmptyAfter()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();
        const string body = "héllo 🌍 𝄞 {\"nested\":\"json\"}  \t\n\r tail \u0001\u007f";

        var (sendStatus, sent) = await alice.SendAsync(bob.Identity, box, body, "id-1");
        var listed = await bob.ListAsync(box);
        var (ackStatus, acked) = await bob.AckAsync("id-1");
        var after = await bob.ListAsync(box);

        Assert.Equal(HttpStatusCode.OK, sendStatus);
        Assert.Equal(("success", "id-1"), (sent.Str("status"), sent.Str("messageId")));
        Assert.Equal("Your message has been sent to 1 recipient(s).", sent.Str("message"));
        var message = Assert.Single(listed);
        Assert.Equal((body, alice.Identity, "id-1"), (message.Str("body"), message.Str("sender"), message.Str("messageId")));
        Assert.Equal(message.Str("createdAt"), message.Str("created_at"));
        Assert.Equal(message.Str("updatedAt"), message.Str("updated_at"));
        Assert.True(DateTimeOffset.Parse(message.Str("createdAt"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal((HttpStatusCode.OK, 1), (ackStatus, acked.GetProperty("acknowledged").GetInt32()));
        Assert.Empty(after);
    }

    [Fact]
    public async Task Send_LargeBody_StoredByteForByte()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();
        var body = string.Concat(Enumerable.Repeat("0123456789abcdef😀", 16 * 1024 / 20));

        var (status, _) = await alice.SendAsync(bob.Identity, box, body, "big");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(body, Assert.Single(await bob.ListAsync(box)).Str("body"));
    }

    [Fact]
    public async Task Send_BodyOneByteOverDefaultLimit_413AndNothingStored()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();

        var (status, json) = await alice.SendAsync(bob.Identity, box, new string('x', (1 << 20) + 1), "over");
        // Larger than any relay request: refused before verification, so unsigned (nothing is signed before a request
        // verifies); the client handler reports it as an authentication-layer error with the code.
        var huge = await Assert.ThrowsAsync<PeerServAuthException>(() => alice.SendAsync(bob.Identity, box, new string('x', 3 << 20), "huge"));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "ERR_MESSAGE_BODY_TOO_LARGE"), (status, json.Code()));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "ERR_REQUEST_TOO_LARGE"), (huge.StatusCode, huge.Code));
        Assert.Empty(await bob.ListAsync(box));
    }

    [Fact]
    public async Task Send_WithoutMessageId_ServerAssignsAndReturnsIt()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();

        var (status, sent) = await alice.SendAsync(bob.Identity, box, "no id");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(sent.Str("messageId"), Assert.Single(await bob.ListAsync(box)).Str("messageId"));
    }

    [Fact]
    public async Task Send_ObjectBody_StoredAsItsJsonText()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();

        var (status, _) = await alice.PostAsync("/sendMessage", "{\"message\":{\"recipient\":\"" + bob.Identity + "\",\"messageBox\":\"" + box + "\",\"messageId\":\"o\",\"body\":{\"a\":[1,2],\"b\":\"c\"}}}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"a":[1,2],"b":"c"}""", Assert.Single(await bob.ListAsync(box)).Str("body"));
    }

    [Fact]
    public async Task Send_ToSeveralRecipients_EachGetsItsOwnId()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        using var carol = NewClient();
        var box = Box();

        var (status, sent) = await alice.PostAsync("/sendMessage", new { message = new { recipients = new[] { bob.Identity, carol.Identity.ToUpperInvariant() }, messageBox = box, messageId = new[] { "b1", "c1" }, body = "hi all" } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Your message has been sent to 2 recipient(s).", sent.Str("message"));
        Assert.Equal([(bob.Identity, "b1"), (carol.Identity, "c1")], sent.GetProperty("results").EnumerateArray().Select(r => (r.Str("recipient"), r.Str("messageId"))));
        Assert.Equal("b1", Assert.Single(await bob.ListAsync(box)).Str("messageId"));
        Assert.Equal("c1", Assert.Single(await carol.ListAsync(box)).Str("messageId"));
    }

    [Fact]
    public async Task Send_MultiRecipientWithOneTakenId_NothingStoredForAnyone()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        using var carol = NewClient();
        var box = Box();
        await alice.SendAsync(carol.Identity, box, "first", "taken");

        var (status, error) = await alice.PostAsync("/sendMessage", new { message = new { recipients = new[] { bob.Identity, carol.Identity }, messageBox = box, messageId = new[] { "free", "taken" }, body = "second" } });

        Assert.Equal((HttpStatusCode.BadRequest, "ERR_DUPLICATE_MESSAGE"), (status, error.Code()));
        Assert.Empty(await bob.ListAsync(box));
        Assert.Equal("first", Assert.Single(await carol.ListAsync(box)).Str("body"));
    }

    [Fact]
    public async Task Send_SameIdAgain_IdenticalIsIdempotentDifferentIsRejected()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();

        var first = await alice.SendAsync(bob.Identity, box, "same", "dup");
        var retry = await alice.SendAsync(bob.Identity, box, "same", "dup");
        var changed = await alice.SendAsync(bob.Identity, box, "changed", "dup");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "ERR_DUPLICATE_MESSAGE"), (changed.Status, changed.Json.Code()));
        Assert.Equal("same", Assert.Single(await bob.ListAsync(box)).Str("body"));
    }

    /// <summary>Ids are unique per (recipient, sender): another sender's id is neither an oracle nor a squat.</summary>
    [Fact]
    public async Task Send_IdAnotherSenderUsed_StoredForBoth_NoOracleNoSquatting()
    {
        using var alice = NewClient();
        using var mallory = NewClient();
        using var bob = NewClient();
        var box = Box();

        var squat = await mallory.SendAsync(bob.Identity, box, "squatted", "order-1002");
        var real = await alice.SendAsync(bob.Identity, box, "the real order", "order-1002");
        var probe = await mallory.SendAsync(bob.Identity, box, "probe", "order-1002");
        var listed = await bob.ListAsync(box);

        Assert.Equal(HttpStatusCode.OK, squat.Status);
        Assert.Equal(HttpStatusCode.OK, real.Status);
        Assert.Equal((HttpStatusCode.BadRequest, "ERR_DUPLICATE_MESSAGE"), (probe.Status, probe.Json.Code()));
        Assert.Equal([(mallory.Identity, "squatted"), (alice.Identity, "the real order")], listed.Select(m => (m.Str("sender"), m.Str("body"))));
    }

    [Fact]
    public async Task Isolation_OthersSeeNothingAndCannotAcknowledge()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        using var mallory = NewClient();
        var box = Box();
        await alice.SendAsync(bob.Identity, box, "private", "secret-1");

        var malloryList = await mallory.ListAsync(box);
        var senderList = await alice.ListAsync(box);
        var otherBox = await bob.ListAsync(box + "-other");
        var (ackStatus, ackError) = await mallory.AckAsync("secret-1");

        Assert.Empty(malloryList);
        Assert.Empty(senderList);
        Assert.Empty(otherBox);
        Assert.Equal((HttpStatusCode.BadRequest, "ERR_INVALID_ACKNOWLEDGMENT"), (ackStatus, ackError.Code()));
        Assert.Single(await bob.ListAsync(box));
    }

    [Fact]
    public async Task Acknowledge_NumbersAndPartialSets_DeleteWhatExists()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();
        await alice.SendAsync(bob.Identity, box, "n", "42");
        await alice.SendAsync(bob.Identity, box, "m", "other");

        var (numberStatus, numberAck) = await bob.PostAsync("/acknowledgeMessage", """{"messageIds":[42]}""");
        var (partialStatus, partialAck) = await bob.AckAsync("other", "missing");
        var (againStatus, againAck) = await bob.AckAsync("other");

        Assert.Equal((HttpStatusCode.OK, 1), (numberStatus, numberAck.GetProperty("acknowledged").GetInt32()));
        Assert.Equal((HttpStatusCode.OK, 1), (partialStatus, partialAck.GetProperty("acknowledged").GetInt32()));
        Assert.Equal((HttpStatusCode.BadRequest, "ERR_INVALID_ACKNOWLEDGMENT"), (againStatus, againAck.Code()));
    }

    [Fact]
    public async Task List_200Messages_CompleteInSendOrderWithPagination()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();
        for (var i = 0; i < 200; i++)
        {
            // ids deliberately not in send order, so only arrival order can explain the listing
            Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(bob.Identity, box, $"m{i}", $"id-{(i * 7919) % 1000:D3}-{i}")).Status);
        }

        var all = await bob.ListAsync(box);
        var (_, first) = await bob.PostAsync("/listMessages", new { messageBox = box, limit = 50 });
        var (_, second) = await bob.PostAsync("/listMessages", new { messageBox = box, limit = 50, skip = 50 });
        var (_, last) = await bob.PostAsync("/listMessages", new { messageBox = box, limit = 50, offset = 150 });
        var (ackStatus, acked) = await bob.AckAsync([.. all.Select(m => m.Str("messageId"))]);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"m{i}"), all.Select(m => m.Str("body")));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), first.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")));
        Assert.Equal((true, 50), (first.GetProperty("hasMore").GetBoolean(), first.GetProperty("nextOffset").GetInt32()));
        Assert.Equal(Enumerable.Range(50, 50).Select(i => $"m{i}"), second.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")));
        Assert.Equal(Enumerable.Range(150, 50).Select(i => $"m{i}"), last.GetProperty("messages").EnumerateArray().Select(m => m.Str("body")));
        Assert.False(last.GetProperty("hasMore").GetBoolean());
        Assert.Equal((HttpStatusCode.OK, 200), (ackStatus, acked.GetProperty("acknowledged").GetInt32()));
    }

    [Fact]
    public async Task ConcurrentSenders_IntoNewBox_NothingLost()
    {
        using var bob = NewClient();
        var box = Box();
        var senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
        {
            using var sender = NewClient();
            for (var i = 0; i < 25; i++)
            {
                var (status, json) = await sender.SendAsync(bob.Identity, box, $"{s}/{i}", $"c-{s}-{i}");
                Assert.True(status == HttpStatusCode.OK, $"send {s}/{i}: {(int)status} {json}");
            }
        }));

        await Task.WhenAll(senders);
        var listed = await bob.ListAsync(box);
        var (ackStatus, acked) = await bob.AckAsync([.. listed.Select(m => m.Str("messageId"))]);

        Assert.Equal(200, listed.Select(m => m.Str("messageId")).Distinct().Count());
        Assert.Equal((HttpStatusCode.OK, 200), (ackStatus, acked.GetProperty("acknowledged").GetInt32()));
    }

    [Fact]
    public async Task LongPoll_EmptyBox_ReturnsAsSoonAsAMessageArrives()
    {
        using var alice = NewClient();
        using var bob = NewClient();
        var box = Box();
        await bob.ListAsync(box);
        var clock = Stopwatch.StartNew();

        var waiting = bob.PostAsync("/listMessages", new { messageBox = box, waitSeconds = 20 });
        await Task.Delay(500);
        await alice.SendAsync(bob.Identity, box, "wake up", "wake");
        var (status, json) = await waiting;

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("wake up", Assert.Single(json.GetProperty("messages").EnumerateArray()).Str("body"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the wait ended only after {clock.Elapsed}");
    }

    [Fact]
    public async Task LongPoll_NothingArrives_ReturnsEmptyAfterTheWait()
    {
        using var bob = NewClient();
        var clock = Stopwatch.StartNew();

        var (status, json) = await bob.PostAsync("/listMessages", new { messageBox = Box(), waitSeconds = 1 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(json.GetProperty("messages").EnumerateArray());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CrossProtocol_SentWithAuthriteListedAndAcknowledgedWithTheOther()
    {
        using var alice = NewClient(ClientProtocol.Authrite);
        using var bob = NewClient(ClientProtocol.Brc104);
        var box = Box();

        var (status, _) = await alice.SendAsync(bob.Identity, box, "from brc-31", "x1");
        var listed = await bob.ListAsync(box);
        var (ackStatus, _) = await bob.AckAsync("x1");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(alice.Identity, Assert.Single(listed).Str("sender"));
        Assert.Equal(HttpStatusCode.OK, ackStatus);
    }
}
