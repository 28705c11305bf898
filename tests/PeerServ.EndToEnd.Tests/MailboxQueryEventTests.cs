using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
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
            request.Headers.Add(GatewayAssertion.AssertionHeader, assertion.Create(identity, "POST", "/listMessages", """{"messageBox":"events","waitSeconds":25}"""u8));
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
