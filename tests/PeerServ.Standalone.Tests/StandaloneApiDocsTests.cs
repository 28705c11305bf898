using System.Net;
using System.Text.Json;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;

namespace PeerServ.Standalone.Tests;

/// <summary>The standalone host documents its API from endpoint metadata: every relay operation and both handshakes, with their catalogue errors.</summary>
public sealed class StandaloneApiDocsTests : IClassFixture<StandaloneFactory>
{
    private readonly StandaloneFactory _factory;

    public StandaloneApiDocsTests(StandaloneFactory factory) => _factory = factory;

    [Fact]
    public async Task OpenApi_Anonymous_DescribesEveryRelayOperationAndBothHandshakes()
    {
        using var client = _factory.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken));
        var paths = document.RootElement.GetProperty("paths");

        foreach (var operation in RelayApi.All)
        {
            var described = paths.GetProperty(operation.Path).GetProperty(operation.Method.ToLowerInvariant());
            Assert.Equal(operation.Name, described.GetProperty("operationId").GetString());
            var description = described.GetProperty("description").GetString()!;
            Assert.All(operation.Errors, error => Assert.Contains(error.Code, description, StringComparison.Ordinal));
            Assert.Equal(operation.Request is not null, described.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("application/json", out _));
            Assert.True(described.GetProperty("responses").TryGetProperty("503", out _), operation.Path);
        }

        Assert.Contains(RelayErrors.InvalidNonce.Code, paths.GetProperty("/.well-known/auth").GetProperty("post").GetProperty("description").GetString()!, StringComparison.Ordinal);
        Assert.True(paths.TryGetProperty("/authrite/initialRequest", out _));
        Assert.True(document.RootElement.GetProperty("components").GetProperty("schemas").TryGetProperty(nameof(ListedMessage), out _));
    }

    [Fact]
    public async Task Docs_Anonymous_ServesThePage()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/docs", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
