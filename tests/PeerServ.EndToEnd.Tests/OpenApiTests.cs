using System.Net;
using System.Text.Json;

namespace PeerServ.EndToEnd.Tests;

/// <summary>The gateway documents the public API: an OpenAPI document and a docs page, without authentication.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class OpenApiTests(DistributedStack stack)
{
    [Fact]
    public async Task OpenApiDocument_ThroughTheGateway_DescribesEveryRoutedEndpointAndTheHandshakes()
    {
        using var http = new HttpClient();

        var document = JsonDocument.Parse(await http.GetStringAsync(new Uri(stack.Gateway.Url, "/openapi/v1.json"), TestContext.Current.CancellationToken)).RootElement;
        using var docs = await http.GetAsync(new Uri(stack.Gateway.Url, "/docs"), TestContext.Current.CancellationToken);

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/sendMessage", "/listMessages", "/acknowledgeMessage" })
        {
            var post = paths.GetProperty(path).GetProperty("post");
            Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _), path);
            Assert.True(post.GetProperty("responses").TryGetProperty("200", out _), path);
            Assert.True(post.GetProperty("responses").TryGetProperty("400", out _), path);
            Assert.Contains("ERR_", post.GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        foreach (var (path, method) in new[] { ("/permissions/set", "post"), ("/permissions/get", "get"), ("/permissions/list", "get"), ("/permissions/quote", "get"), ("/registerDevice", "post"), ("/devices", "get") })
        {
            Assert.True(paths.GetProperty(path).GetProperty(method).GetProperty("responses").TryGetProperty("200", out _), path);
        }

        Assert.True(paths.TryGetProperty("/.well-known/auth", out _));
        Assert.True(paths.TryGetProperty("/authrite/initialRequest", out _));
        Assert.Contains("ERR_DUPLICATE_MESSAGE", paths.GetProperty("/sendMessage").GetProperty("post").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("html", (await docs.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ToLowerInvariant(), StringComparison.Ordinal);
    }
}
