using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;

namespace PeerServ.Auth.Tests;

/// <summary>
/// Limits an unauthenticated or cheap-identity attacker meets (security review items 3, 4 and 13): per-address budgets
/// that see the client behind a trusted proxy, a global handshake ceiling, failed and first-time verifications charged
/// to the address, the key-exchange cache kept for verified identities, and nonces recorded only past the limiter.
/// </summary>
public sealed class AbuseLimitTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public void PublicKeyHash_CoversTheWholeKey_ColludingPrefixesDoNotCollide()
    {
        // Valid keys that share bytes 1-4 (what the hash used to be): cheap to mint, no scalar multiplication needed.
        var keys = new List<PublicKey>();
        var x = new byte[33];
        x[0] = 0x02;
        x[1] = 0xAB;
        x[2] = 0xCD;
        x[3] = 0xEF;
        x[4] = 0x01;
        while (keys.Count < 2000)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(x.AsSpan(5));
            if (PublicKey.TryFromBytes(x, out var key))
            {
                keys.Add(key);
            }
        }

        Assert.InRange(keys.Select(k => k.GetHashCode()).Distinct().Count(), 1990, 2000);
    }

    [Fact]
    public async Task KeyExchangeCache_TakesOnlyIdentitiesWhoseSignatureVerified()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate());
        var deriver = host.Services.GetRequiredService<ServerIdentity>().Deriver;
        var before = deriver.CachedPeerCount;

        for (var i = 0; i < 5; i++)
        {
            using var forger = host.AuthriteClient(PrivateKey.Generate(), new TamperHandler(host.Server.CreateHandler(), TamperBody));
            await Assert.ThrowsAsync<PeerServAuthException>(() => forger.PostAsync("/echo", Json("{\"n\":1}"), Ct));
        }

        var afterForgeries = deriver.CachedPeerCount;
        using var honest = host.AuthriteClient(PrivateKey.Generate());
        using var ok = await honest.PostAsync("/echo", Json("{}"), Ct);

        Assert.Equal(before, afterForgeries);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(before + 1, deriver.CachedPeerCount);
    }

    [Fact]
    public async Task FailedVerifications_ChargedToTheAddress_ThenRefusedBeforeVerifying_OtherAddressesUnaffected()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string> { ["RateLimits:UnverifiedPerMinute"] = "4" });
        var key = PrivateKey.Generate();
        using var honestHere = host.Brc104Client(key, host.From("192.0.2.1"));
        using var first = await honestHere.PostAsJsonAsync("/echo", new { }, Ct); // first verification of this identity: 1 of 4
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var forger = host.AuthriteClient(PrivateKey.Generate(), new TamperHandler(host.From("192.0.2.1"), TamperBody));
            var error = await Assert.ThrowsAsync<PeerServAuthException>(() => forger.PostAsync("/echo", Json("{\"n\":1}"), Ct));
            statuses.Add(error.StatusCode ?? 0);
        }

        var refused = await Assert.ThrowsAsync<PeerServAuthException>(() => honestHere.PostAsJsonAsync("/echo", new { again = true }, Ct));
        using var elsewhere = host.Brc104Client(PrivateKey.Generate(), host.From("192.0.2.2"));
        using var unaffected = await elsewhere.PostAsJsonAsync("/echo", new { }, Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal((HttpStatusCode.TooManyRequests, "ERR_RATE_LIMITED"), (refused.StatusCode, refused.Code));
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }

    [Fact]
    public async Task NewIdentityPerAuthriteRequest_SpendsTheAddressBudget()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string> { ["RateLimits:UnverifiedPerMinute"] = "3" });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var fresh = host.AuthriteClient(PrivateKey.Generate(), host.From("198.51.100.20"));
            try
            {
                using var response = await fresh.PostAsync("/echo", Json("{}"), Ct);
                statuses.Add(response.StatusCode);
            }
            catch (PeerServAuthException refused)
            {
                statuses.Add(refused.StatusCode ?? 0);
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task RefusedByTheIdentityLimit_NonceNotRecorded_SameRequestAcceptedOnceTheLimitAllows()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string>
        {
            ["RateLimits:RequestsPerSecond"] = "1",
            ["RateLimits:RequestBurst"] = "1",
        });
        var recorder = new TamperHandler(host.Server.CreateHandler());
        using var client = host.AuthriteClient(PrivateKey.Generate(), recorder);
        using var first = await client.PostAsync("/echo", Json("{\"n\":1}"), Ct);
        using var limited = await client.PostAsync("/echo", Json("{\"n\":2}"), Ct);
        using var raw = host.RawClient();

        await Task.Delay(TimeSpan.FromSeconds(1.3), Ct); // a token again
        using var resent = await raw.SendAsync(recorder.CopyOfLast("{\"n\":2}"), Ct);
        await Task.Delay(TimeSpan.FromSeconds(1.3), Ct);
        using var replayed = await raw.SendAsync(recorder.CopyOfLast("{\"n\":2}"), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, "ERR_NONCE_REPLAYED"), (replayed.StatusCode, (await AuthTestHost.JsonOf(replayed)).Str("code")));
    }

    [Fact]
    public async Task BehindATrustedProxy_EachForwardedClientHasItsOwnBucket_UntrustedSocketsCannotChooseOne()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string>
        {
            ["RateLimits:HandshakesPerMinute"] = "3",
            ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8",
        });

        var flooder = await HandshakesAsync(host, 4, _ => host.From("10.1.2.3", "198.51.100.7"));
        var freshClient = await HandshakesAsync(host, 1, _ => host.From("10.1.2.3", "198.51.100.8"));
        var spoofer = await HandshakesAsync(host, 4, i => host.From("203.0.113.9", $"198.51.100.{100 + i}"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], flooder);
        Assert.Equal([HttpStatusCode.OK], freshClient);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], spoofer);
    }

    [Fact]
    public async Task Ipv6_OneBucketPerSlash64()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string> { ["RateLimits:HandshakesPerMinute"] = "2" });

        var sameSlash64 = await HandshakesAsync(host, 3, i => host.From($"2001:db8:1:2::{i + 1:x}"));
        var nextSlash64 = await HandshakesAsync(host, 1, _ => host.From("2001:db8:1:3::1"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], sameSlash64);
        Assert.Equal([HttpStatusCode.OK], nextSlash64);
        Assert.Equal("2001:db8:1:2::/64", ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        Assert.Equal("192.0.2.7", ClientAddress.PartitionKey(IPAddress.Parse("::ffff:192.0.2.7")));
    }

    [Fact]
    public async Task ManyAddresses_MeetTheGlobalHandshakeCeiling()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string> { ["RateLimits:HandshakesPerSecondTotal"] = "2" });

        var statuses = await HandshakesAsync(host, 10, i => host.From($"192.0.2.{i + 1}"));

        // Two per second: ten from ten addresses within a second or two get at most two refills' worth through.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 2, 6);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    private static async Task<List<HttpStatusCode>> HandshakesAsync(AuthTestHost host, int count, Func<int, HttpMessageHandler> from)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var client = new HttpClient(from(i)) { BaseAddress = host.BaseAddress };
            var body = $$"""{"authrite":"0.2","messageType":"initialRequest","identityKey":"{{PrivateKey.Generate().PublicKey.Hex}}","nonce":"{{Convert.ToBase64String(new byte[32])}}"}""";
            using var response = await client.PostAsync("/authrite/initialRequest", Json(body), Ct);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    private static async Task TamperBody(HttpRequestMessage request)
    {
        if (request.RequestUri!.AbsolutePath == "/echo" && request.Content is not null)
        {
            var body = await request.Content.ReadAsStringAsync();
            request.Content = new StringContent(body.Replace("1", "2", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
