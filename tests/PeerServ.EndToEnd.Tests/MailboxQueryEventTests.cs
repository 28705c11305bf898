using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;
using PeerServ.Auth.Gateway;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>MessageSent published by ingest reaches every mailbox-query replica (fan-out), which wakes its waiting lists.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class MailboxQueryEventTests(DistributedStack stack)
{
    [Fact]
    public async Task MessageSent_ReachesEveryMailboxQueryReplica_WaitingListsOnBothWake()
    {
        var bob = PrivateKey.Generate();
        var identity = new PeerIdentity(bob.PublicKey, AuthProtocol.Brc104);
        var assertion = new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = stack.InternalSecret }, TimeProvider.System);
        var replicas = stack.Processes.Where(p => p.Name.StartsWith("mailbox-query", StringComparison.Ordinal)).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var clock = Stopwatch.StartNew();

        var waits = replicas.Select(async replica =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(replica.Url, "/listMessages"))
            {
                Content = new StringContent("""{"messageBox":"events","waitSeconds":25}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(GatewayAssertion.IdentityHeader, bob.PublicKey.Hex);
            request.Headers.Add(GatewayAssertion.ProtocolHeader, "Brc104");
            request.Headers.Add(GatewayAssertion.AssertionHeader, assertion.Create(identity, "POST", "/listMessages"));
            using var response = await http.SendAsync(request);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return (replica.Name, response.StatusCode, json, clock.Elapsed);
        }).ToList();
        await Task.Delay(1000);
        using var alice = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());
        var (sendStatus, _) = await alice.SendAsync(bob.PublicKey.Hex, "events", "ping", "ev-1");
        var results = await Task.WhenAll(waits);

        Assert.Equal(HttpStatusCode.OK, sendStatus);
        Assert.Equal(2, results.Length);
        Assert.All(results, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("ev-1", Assert.Single(r.json.GetProperty("messages").EnumerateArray()).Str("messageId"));
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(20), $"{r.Name} woke only after {r.Elapsed}");
        });
    }
}

/// <summary>Every deployable serves Prometheus metrics on its management listener, never on the public port.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class MetricsTests(DistributedStack stack)
{
    [Fact]
    public async Task Metrics_AfterTraffic_CountMessagesEventsAndAuthRefusals()
    {
        using var alice = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());
        var ingest = stack.Ingest;
        var sentBefore = await ingest.MetricAsync("peerserv_messages_sent_total");
        await alice.SendAsync(alice.Identity, "metrics", "counted", "m1");
        using var raw = new HttpClient();
        using var refused = await raw.PostAsync(new Uri(stack.Gateway.Url, "/listMessages"), new StringContent("{}"), TestContext.Current.CancellationToken);
        using var publicMetrics = await raw.GetAsync(new Uri(stack.Gateway.Url, "/metrics"), TestContext.Current.CancellationToken);
        await Task.Delay(1500, TestContext.Current.CancellationToken);

        Assert.Equal(sentBefore + 1, await ingest.MetricAsync("peerserv_messages_sent_total"));
        Assert.True(await ingest.MetricAsync("peerserv_events_published_total", "MessageSent") >= 1);
        Assert.True(await stack.Gateway.MetricAsync("peerserv_auth_rejections_total", "UNAUTHORIZED") >= 1);
        Assert.True(await stack.Gateway.MetricAsync("http_server_request_duration_seconds_count") >= 1);
        Assert.NotEqual(HttpStatusCode.OK, publicMetrics.StatusCode);
        var consumed = 0d;
        foreach (var replica in stack.Processes.Where(p => p.Name.StartsWith("mailbox-query", StringComparison.Ordinal)))
        {
            consumed += await replica.MetricAsync("peerserv_events_consumed_total", "MessageSent");
        }

        Assert.True(consumed >= 2, $"MessageSent consumed {consumed} times over the two replicas");
    }
}

/// <summary>The gateway documents the public API: an OpenAPI document and a docs page, without authentication.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class OpenApiTests(DistributedStack stack)
{
    [Fact]
    public async Task OpenApiDocument_ThroughTheGateway_DescribesTheThreeEndpointsAndTheHandshakes()
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

        Assert.True(paths.TryGetProperty("/.well-known/auth", out _));
        Assert.True(paths.TryGetProperty("/authrite/initialRequest", out _));
        Assert.Contains("ERR_DUPLICATE_MESSAGE", paths.GetProperty("/sendMessage").GetProperty("post").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("html", (await docs.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ToLowerInvariant(), StringComparison.Ordinal);
    }
}
