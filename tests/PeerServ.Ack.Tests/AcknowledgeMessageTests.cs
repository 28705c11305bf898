using PeerServ.Auth.Crypto;
using PeerServ.Contracts;
using PeerServ.Storage;
using PeerServ.Tests.Services;

namespace PeerServ.Ack.Tests;

/// <summary>The ack service: deletes only the caller's messages and announces MessagesAcknowledged for exactly those.</summary>
public sealed class AcknowledgeMessageTests : IDisposable
{
    private readonly ServiceFactory<Program> _service = new();
    private readonly PrivateKey _bob = PrivateKey.Generate();

    [Fact]
    public async Task Acknowledge_OwnMessages_DeletesThemAndPublishesMessagesAcknowledged()
    {
        await StoreAsync(_bob.PublicKey.Hex, "a-1", "a-2");

        var (status, json, _) = await _service.PostAsync(_bob, "/acknowledgeMessage", new { messageIds = new[] { "a-1", "a-2", "a-unknown" } });

        Assert.Equal(200, status);
        Assert.Equal(2, json.GetProperty("acknowledged").GetInt32());
        Assert.True(await _service.Harness.Published.Any<MessagesAcknowledged>(m => m.Context.Message.Recipient == _bob.PublicKey.Hex));
        var published = _service.Harness.Published.Select<MessagesAcknowledged>(m => m.Context.Message.Recipient == _bob.PublicKey.Hex).Single().Context.Message;
        Assert.Equal(["a-1", "a-2"], published.MessageIds.Order(StringComparer.Ordinal));
        Assert.Equal(_service.Time.GetUtcNow(), published.AcknowledgedAt);
    }

    [Fact]
    public async Task Acknowledge_SomeoneElsesMessage_400AndNothingDeletedOrPublished()
    {
        var carol = PrivateKey.Generate().PublicKey.Hex;
        await StoreAsync(carol, "c-1");

        var (status, json, _) = await _service.PostAsync(_bob, "/acknowledgeMessage", new { messageIds = new[] { "c-1" } });

        Assert.Equal(400, status);
        Assert.Equal("ERR_INVALID_ACKNOWLEDGMENT", json.GetProperty("code").GetString());
        Assert.False(await _service.Harness.Published.Any<MessagesAcknowledged>());
        Assert.Single((await _service.Store.ListAsync(carol, "inbox", 0, 10, _service.Time.GetUtcNow(), CancellationToken.None)).Messages);
    }

    public void Dispose() => _service.Dispose();

    private Task<InsertResult> StoreAsync(string recipient, params string[] ids)
    {
        var now = _service.Time.GetUtcNow();
        return _service.Store.InsertAsync(new NewMessage(PrivateKey.Generate().PublicKey.Hex, "inbox", "hi", [.. ids.Select(id => new Delivery(recipient, id))], now, now.AddDays(30)), CancellationToken.None);
    }
}
