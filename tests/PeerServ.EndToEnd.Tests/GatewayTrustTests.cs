using System.Net;
using System.Text;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using PeerServ.Tests.Containers;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>Services trust only the gateway's assertion; nothing a client sends can stand in for it.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class GatewayTrustTests(DistributedStack stack)
{
    [Fact]
    public async Task Service_CalledDirectlyWithoutAssertion_401AndNothingStored()
    {
        var victim = PrivateKey.Generate().PublicKey.Hex;
        using var http = new HttpClient();
        using var request = Json(new Uri(stack.Ingest.Url, "/sendMessage"), "{\"message\":{\"recipient\":\"" + victim + "\",\"messageBox\":\"direct\",\"body\":\"x\"}}");
        request.Headers.Add(GatewayAssertion.IdentityHeader, victim);

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("ERR_GATEWAY_ASSERTION", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_ForgedOrReplayedAssertion_Refused()
    {
        var identity = new PeerIdentity(PrivateKey.Generate().PublicKey, AuthProtocol.Brc104);
        var forger = new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = new string('f', 40) }, TimeProvider.System);
        var insider = new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = stack.InternalSecret }, TimeProvider.System);
        var genuine = insider.Create(identity, "POST", "/listMessages", Encoding.UTF8.GetBytes(InboxList));
        using var http = new HttpClient();

        var forged = await SendAsync(http, identity, forger.Create(identity, "POST", "/listMessages", Encoding.UTF8.GetBytes(InboxList)));
        var first = await SendAsync(http, identity, genuine);
        var replayed = await SendAsync(http, identity, genuine);

        Assert.Equal(HttpStatusCode.Unauthorized, forged);
        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed);
    }

    [Fact]
    public async Task Service_GenuineAssertionOverAnotherBody_Refused()
    {
        var identity = new PeerIdentity(PrivateKey.Generate().PublicKey, AuthProtocol.Brc104);
        var insider = new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = stack.InternalSecret }, TimeProvider.System);
        using var http = new HttpClient();

        // What the caller signed and the gateway verified was another box: a changed body between gateway and service is refused.
        var swapped = await SendAsync(http, identity, insider.Create(identity, "POST", "/listMessages", """{"messageBox":"other"}"""u8));
        var genuine = await SendAsync(http, identity, insider.Create(identity, "POST", "/listMessages", Encoding.UTF8.GetBytes(InboxList)));

        Assert.Equal(HttpStatusCode.Unauthorized, swapped);
        Assert.Equal(HttpStatusCode.OK, genuine);
    }

    private const string InboxList = """{"messageBox":"inbox"}""";

    [Fact]
    public async Task Gateway_ClientSuppliedIdentityHeaders_StrippedSenderIsTheVerifiedKey()
    {
        var impersonated = PrivateKey.Generate().PublicKey.Hex;
        using var alice = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SpoofingHandler(impersonated));
        using var bob = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());

        var (status, _) = await alice.SendAsync(bob.Identity, "spoof", "who am i", "s1");
        var listed = await bob.ListAsync("spoof");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(alice.Identity, Assert.Single(listed).Str("sender"));
    }

    private async Task<HttpStatusCode> SendAsync(HttpClient http, PeerIdentity identity, string assertion)
    {
        var query = stack.Processes.First(p => p.Name == "mailbox-query-1");
        using var request = Json(new Uri(query.Url, "/listMessages"), InboxList);
        request.Headers.Add(GatewayAssertion.IdentityHeader, identity.IdentityKey.Hex);
        request.Headers.Add(GatewayAssertion.ProtocolHeader, identity.Protocol.ToString());
        request.Headers.Add(GatewayAssertion.AssertionHeader, assertion);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage Json(Uri uri, string json) => new(HttpMethod.Post, uri) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>A client that also sends the internal identity headers, naming someone else.</summary>
    private sealed class SpoofingHandler(string identity) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(GatewayAssertion.IdentityHeader, identity);
            request.Headers.TryAddWithoutValidation(GatewayAssertion.ProtocolHeader, "Brc104");
            request.Headers.TryAddWithoutValidation(GatewayAssertion.AssertionHeader, "v1.0.AAAA.forged");
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A service whose store is unreachable answers 503 quickly: never 200 for an unstored message, never 500.</summary>
public sealed class StoreUnavailableTests(TestServers servers)
{
    [Fact]
    public async Task Ingest_StoreUnreachable_Answers503QuicklyWithRetryAfter()
    {
        var secret = new string('s', 40);
        await using var ingest = ServiceProcess.Start("ingest-no-store", "services/PeerServ.Ingest", new Dictionary<string, string>
        {
            ["Gateway__InternalSecret"] = secret,
            ["Storage__MongoConnectionString"] = $"mongodb://127.0.0.1:{ServiceProcess.FreePort()}/?serverMonitoringMode=poll",
            ["ConnectionStrings__RabbitMq"] = servers.RabbitMq,
        });
        await ingest.WaitLiveAsync(TimeSpan.FromSeconds(60));
        var identity = new PeerIdentity(PrivateKey.Generate().PublicKey, AuthProtocol.Brc104);
        var assertion = new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = secret }, TimeProvider.System);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(ingest.Url, "/sendMessage"))
        {
            Content = new StringContent("{\"message\":{\"recipient\":\"" + identity.IdentityKey.Hex + "\",\"messageBox\":\"b\",\"body\":\"x\"}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(GatewayAssertion.IdentityHeader, identity.IdentityKey.Hex);
        request.Headers.Add(GatewayAssertion.ProtocolHeader, "Brc104");
        request.Headers.Add(GatewayAssertion.AssertionHeader, assertion.Create(identity, "POST", "/sendMessage", await request.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("ERR_SERVICE_UNAVAILABLE", body, StringComparison.Ordinal);
        Assert.True(response.Headers.Contains("Retry-After"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"503 took {clock.Elapsed}");
    }
}

/// <summary>The server key and the internal secret never appear in any deployable's logs.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class SecretsTests(DistributedStack stack)
{
    [Fact]
    public async Task LogsAndMetrics_OfEveryProcessAfterTrafficAndRefusals_ContainNoSecret()
    {
        using var alice = new RelayClient(PrivateKey.Generate(), stack.Gateway.Url, new SocketsHttpHandler());
        await alice.SendAsync(alice.Identity, "secrets", "x", "s1");
        await alice.PostAsync("/sendMessage", "{broken");
        using var http = new HttpClient();
        foreach (var process in stack.Processes.Where(p => p.Name != "gateway"))
        {
            using var direct = await http.PostAsync(new Uri(process.Url, "/listMessages"), new StringContent("{}"), TestContext.Current.CancellationToken);
            // A live replica serves no relay endpoint at all (only /socket.io/); the services refuse the unasserted call.
            Assert.Equal(process.Name.StartsWith("live-", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.Unauthorized, direct.StatusCode);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);

        Assert.All(stack.Processes, process =>
        {
            Assert.DoesNotContain(stack.ServerKey.ToHex(), process.Output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(stack.InternalSecret, process.Output, StringComparison.Ordinal);
        });
        foreach (var process in stack.Processes)
        {
            var metrics = await http.GetStringAsync(new Uri(process.ManagementUrl, "/metrics"), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(stack.ServerKey.ToHex(), metrics, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(stack.InternalSecret, metrics, StringComparison.Ordinal);
            Assert.Contains("# TYPE", metrics, StringComparison.Ordinal);
        }
        Assert.Contains("gateway assertion", string.Join('\n', stack.Processes.Select(p => p.Output)), StringComparison.Ordinal);
    }
}
