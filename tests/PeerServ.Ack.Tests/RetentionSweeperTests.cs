using PeerServ.Auth.Crypto;
using PeerServ.Storage;
using PeerServ.Tests.Services;

namespace PeerServ.Ack.Tests;

/// <summary>The ack service's background sweep deletes what expired, on its interval, and keeps the rest.</summary>
public sealed class RetentionSweeperTests : IDisposable
{
    private readonly ServiceFactory<Program> _service = new();

    [Fact]
    public async Task Sweep_AfterExpiry_DeletesExpiredMessagesOnly()
    {
        _ = _service.Server; // start the host, and with it the sweeper's timer
        var recipient = PrivateKey.Generate().PublicKey.Hex;
        var created = _service.Time.GetUtcNow();
        await InsertAsync(recipient, "short", created, created.AddMinutes(2));
        await InsertAsync(recipient, "long", created, created.AddDays(30));

        // Read "as of creation" so that an expired message still present would be listed: only the sweep removes it.
        Assert.Equal(2, await CountAsync(recipient, created));
        var swept = await _service.AdvanceUntilAsync(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(15), async () => await CountAsync(recipient, created) == 1);

        Assert.True(swept, "the expired message was never swept");
        var left = await _service.Store.ListAsync(recipient, "inbox", 0, 10, created, CancellationToken.None);
        Assert.Equal("long", Assert.Single(left.Messages).MessageId);
    }

    public void Dispose() => _service.Dispose();

    private Task<InsertResult> InsertAsync(string recipient, string id, DateTimeOffset created, DateTimeOffset expires) =>
        _service.Store.InsertAsync(new NewMessage(PrivateKey.Generate().PublicKey.Hex, "inbox", "body of " + id, [new Delivery(recipient, id)], created, expires), CancellationToken.None);

    private async Task<int> CountAsync(string recipient, DateTimeOffset asOf) =>
        (await _service.Store.ListAsync(recipient, "inbox", 0, 10, asOf, CancellationToken.None)).Messages.Count;
}
