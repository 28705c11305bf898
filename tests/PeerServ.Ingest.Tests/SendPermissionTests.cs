using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Storage;
using PeerServ.Tests.Services;

namespace PeerServ.Ingest.Tests;

/// <summary>Every send is checked against every recipient's rules before anything is stored; a blocked or payable recipient refuses the whole send.</summary>
public sealed class SendPermissionTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly ServiceFactory<Program> _service = new();
    private readonly PrivateKey _alice = PrivateKey.Generate();
    private readonly string _bob = PrivateKey.Generate().PublicKey.Hex;
    private readonly string _carol = PrivateKey.Generate().PublicKey.Hex;

    [Fact]
    public async Task Send_OneRecipientBlocksTheSender_403AndNothingStoredForAnyone()
    {
        await _service.Storage.Permissions.SetAsync(_carol, "inbox", _alice.PublicKey.Hex, -1, DateTimeOffset.UtcNow, None);

        var (status, json, _) = await SendAsync("inbox", payment: false, _bob, _carol);

        Assert.Equal(403, status);
        Assert.Equal("ERR_DELIVERY_BLOCKED", json.GetProperty("code").GetString());
        Assert.Contains(_carol, json.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_bob, json.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Empty(await HeldAsync(_bob, "inbox"));
        Assert.Empty(await HeldAsync(_carol, "inbox"));
    }

    [Fact]
    public async Task Send_BoxWideBlock_403_SenderRuleAllows_200()
    {
        await _service.Storage.Permissions.SetAsync(_bob, "notifications", null, -1, DateTimeOffset.UtcNow, None);

        var blocked = await SendAsync("notifications", payment: false, _bob);
        await _service.Storage.Permissions.SetAsync(_bob, "notifications", _alice.PublicKey.Hex, 0, DateTimeOffset.UtcNow, None);
        var allowed = await SendAsync("notifications", payment: false, _bob);
        var otherBox = await SendAsync("inbox", payment: false, _bob);

        Assert.Equal(403, blocked.Status);
        Assert.Equal(200, allowed.Status);
        Assert.Equal(200, otherBox.Status);
        Assert.Single(await HeldAsync(_bob, "notifications"));
    }

    [Theory]
    [InlineData(false, "ERR_MISSING_PAYMENT_TX")]
    [InlineData(true, "ERR_PAYMENTS_UNSUPPORTED")]
    public async Task Send_RecipientChargesAFee_400ClearCodeAndNothingStored(bool payment, string code)
    {
        await _service.Storage.Permissions.SetAsync(_bob, "inbox", _alice.PublicKey.Hex, 5, DateTimeOffset.UtcNow, None);

        var (status, json, _) = await SendAsync("inbox", payment, _bob, _carol);

        Assert.Equal(400, status);
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.Contains("5 satoshis", json.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Empty(await HeldAsync(_carol, "inbox"));
    }

    [Fact]
    public async Task Send_FreeWithAPayment_PaymentIgnoredAndStored()
    {
        var (status, _, _) = await SendAsync("notifications", payment: true, _bob);

        Assert.Equal(200, status);
        Assert.Single(await HeldAsync(_bob, "notifications"));
    }

    [Fact]
    public async Task Send_PermissionStoreDown_503AndNothingStored()
    {
        await _service.Storage.Permissions.SetAsync(_bob, "inbox", _alice.PublicKey.Hex, -1, DateTimeOffset.UtcNow, None);
        _service.Permissions.Fault = new StoreUnavailableException("MongoDB is unavailable (test switch)");

        var (status, json, _) = await SendAsync("inbox", payment: false, _bob);

        Assert.Equal(503, status);
        Assert.Equal("ERR_SERVICE_UNAVAILABLE", json.GetProperty("code").GetString());
        Assert.Empty(await HeldAsync(_bob, "inbox"));
    }

    public void Dispose() => _service.Dispose();

    private async Task<IReadOnlyList<StoredMessage>> HeldAsync(string recipient, string box) =>
        (await _service.Storage.Messages.ListAsync(recipient, box, 0, 10, _service.Time.GetUtcNow(), None)).Messages;

    private Task<(int Status, JsonElement Json, HttpResponseMessage Response)> SendAsync(string box, bool payment, params string[] recipients)
    {
        var message = new { recipients, messageBox = box, body = "hello", messageId = recipients.Select((_, i) => $"{box}-m{i}").ToArray() };
        return payment
            ? _service.PostAsync(_alice, "/sendMessage", new { message, payment = new { tx = new[] { 1, 1, 1, 1 }, outputs = Array.Empty<object>(), description = "MessageBox delivery payment" } })
            : _service.PostAsync(_alice, "/sendMessage", new { message });
    }
}
