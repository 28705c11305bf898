using PeerServ.Auth.Crypto;
using PeerServ.Storage;
using PeerServ.Tests.Services;

namespace PeerServ.Ingest.Tests;

/// <summary>A service's failures answer in the relay's error shape (never ProblemDetails), through the one exception handler.</summary>
public sealed class ErrorAnswerTests : IDisposable
{
    private readonly ServiceFactory<Program> _service = new();
    private readonly PrivateKey _alice = PrivateKey.Generate();

    [Fact]
    public async Task Send_StoreUnavailable_503RetryAfterInTheRelayShape()
    {
        _service.Store.Fault = new StoreUnavailableException("MongoDB is unavailable (test switch)");

        var (status, json, response) = await SendAsync();

        Assert.Equal(503, status);
        Assert.Equal("error", json.GetProperty("status").GetString());
        Assert.Equal("ERR_SERVICE_UNAVAILABLE", json.GetProperty("code").GetString());
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Send_UnexpectedFailure_500InternalInTheRelayShape()
    {
        _service.Store.Fault = new InvalidOperationException("a bug (test switch)");

        var (status, json, response) = await SendAsync();

        Assert.Equal(500, status);
        Assert.Equal("ERR_INTERNAL", json.GetProperty("code").GetString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("test switch", json.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WithoutGatewayAssertion_401InTheRelayShape()
    {
        using var response = await _service.CreateClient().PostAsync("/sendMessage", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("ERR_GATEWAY_ASSERTION", json.GetProperty("code").GetString());
    }

    public void Dispose() => _service.Dispose();

    private Task<(int Status, System.Text.Json.JsonElement Json, HttpResponseMessage Response)> SendAsync() =>
        _service.PostAsync(_alice, "/sendMessage", new { message = new { recipient = PrivateKey.Generate().PublicKey.Hex, messageBox = "inbox", body = "x" } });
}
