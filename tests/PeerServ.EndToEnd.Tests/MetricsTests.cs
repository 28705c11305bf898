using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

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
