using MassTransit.Testing;
using PeerServ.Auth.Crypto;
using PeerServ.Contracts;
using PeerServ.Tests.Services;

namespace PeerServ.Ingest.Tests;

/// <summary>The ingest service's outbox: MessageSent after the durable write, at least once, whatever the broker does.</summary>
public sealed class MessageSentOutboxTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);
    private readonly ServiceFactory<Program> _service = new();
    private readonly PrivateKey _alice = PrivateKey.Generate();
    private readonly string _bob = PrivateKey.Generate().PublicKey.Hex;

    [Fact]
    public async Task Send_Stored_PublishesMessageSentOnceAndClearsTheOutboxMark()
    {
        var (status, json, _) = await SendAsync("m-1", "hello");

        Assert.Equal(200, status);
        Assert.Equal("m-1", json.GetProperty("messageId").GetString());
        var published = await PublishedAsync("m-1");
        Assert.NotNull(published);
        Assert.Equal((_bob, "inbox", _alice.PublicKey.Hex, 5), (published.Recipient, published.MessageBox, published.Sender, published.BodyLength));
        Assert.True(await _service.AdvanceUntilAsync(TimeSpan.FromSeconds(2), Step, async () => await PendingCountAsync() == 0), "the outbox mark was never cleared");
    }

    [Fact]
    public async Task Send_BrokerDown_AnsweredAndKeptPending_RelayPublishesOnceTheBrokerIsBack()
    {
        _service.BrokerDown = true;

        var (status, _, _) = await SendAsync("m-2", "while the broker is down");
        _service.Time.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(100);

        Assert.Equal(200, status);
        Assert.Null(await PublishedAsync("m-2"));
        Assert.Equal(1, await PendingCountAsync());

        _service.BrokerDown = false;
        // The relay republishes what is still pending after its grace period (10 s), at its next tick (every 5 s).
        Assert.True(await _service.AdvanceUntilAsync(TimeSpan.FromSeconds(30), Step, async () => await PublishedAsync("m-2", quick: true) is not null), "the relay never republished");
        Assert.True(await _service.AdvanceUntilAsync(TimeSpan.FromSeconds(2), Step, async () => await PendingCountAsync() == 0), "the republished mark was never cleared");
    }

    [Fact]
    public async Task Send_DuplicateIdOtherContent_400AndNothingMorePublished()
    {
        await SendAsync("m-3", "first");
        Assert.NotNull(await PublishedAsync("m-3"));

        var (status, json, _) = await SendAsync("m-3", "second");

        Assert.Equal(400, status);
        Assert.Equal("ERR_DUPLICATE_MESSAGE", json.GetProperty("code").GetString());
        Assert.Single(_service.Harness.Published.Select<MessageSent>(m => m.Context.Message.MessageId == "m-3"));
    }

    public void Dispose() => _service.Dispose();

    private Task<(int Status, System.Text.Json.JsonElement Json, HttpResponseMessage Response)> SendAsync(string id, string body) =>
        _service.PostAsync(_alice, "/sendMessage", new { message = new { recipient = _bob, messageBox = "inbox", body, messageId = id } });

    private async Task<MessageSent?> PublishedAsync(string id, bool quick = false)
    {
        var harness = _service.Harness;
        if (quick)
        {
            harness.TestInactivityTimeout = TimeSpan.FromMilliseconds(50);
        }

        return await harness.Published.Any<MessageSent>(m => m.Context.Message.MessageId == id && m.Exception is null)
            ? harness.Published.Select<MessageSent>(m => m.Context.Message.MessageId == id && m.Exception is null).First().Context.Message
            : null;
    }

    private async Task<int> PendingCountAsync() =>
        (await _service.Store.ListPendingEventsAsync(_service.Time.GetUtcNow().AddHours(1), 100, CancellationToken.None)).Count;
}
