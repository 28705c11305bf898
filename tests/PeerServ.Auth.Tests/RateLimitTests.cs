using System.Net;
using System.Net.Http.Json;
using System.Text;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Handshakes_OverTheLimitFromOneAddress_429WithRetryAfter()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string> { ["RateLimits:HandshakesPerMinute"] = "3" });
        using var raw = host.RawClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            var body = $$"""{"authrite":"0.2","messageType":"initialRequest","identityKey":"{{PrivateKey.Generate().PublicKey.Hex}}","nonce":"{{Convert.ToBase64String(new byte[32])}}"}""";
            last = await raw.PostAsync("/authrite/initialRequest", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(int.Parse(last!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("ERR_RATE_LIMITED", (await AuthTestHost.JsonOf(last)).Str("code"));
        last.Dispose();
    }

    [Fact]
    public async Task Requests_OverTheLimitOfOneIdentity_Signed429WhileOthersProceed()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), settings: new Dictionary<string, string>
        {
            ["RateLimits:RequestsPerSecond"] = "1",
            ["RateLimits:RequestBurst"] = "2",
        });
        using var greedy = host.Brc104Client(PrivateKey.Generate());
        using var other = host.Brc104Client(PrivateKey.Generate());

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await greedy.PostAsJsonAsync("/echo", new { i }, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.Contains("Retry-After"));
                Assert.Equal("ERR_RATE_LIMITED", (await AuthTestHost.JsonOf(response)).Str("code"));
            }
        }

        using var unaffected = await other.PostAsJsonAsync("/echo", new { }, TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
    }
}
