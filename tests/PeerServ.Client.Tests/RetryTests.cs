using System.Net;

namespace PeerServ.Client.Tests;

/// <summary>
/// The retries, against real signed refusals: a relay allowing one request per second per identity answers the
/// second at once with a signed 429 and Retry-After, which the client waits out and retries, signing it anew.
/// </summary>
public sealed class RetryTests(RetryTests.OnePerSecond host) : IClassFixture<RetryTests.OnePerSecond>
{
    [Fact]
    public async Task RateLimited_RetriedAfterRetryAfter_EveryCallSucceeds()
    {
        using var alice = host.NewClient();
        using var bob = host.NewClient();

        for (var i = 0; i < 3; i++)
        {
            await alice.SendAsync(bob.Identity.Hex, "retry", $"message {i}");
        }

        Assert.Equal(3, (await bob.ListAsync("retry")).Messages.Count);
    }

    [Fact]
    public async Task WithoutRetries_TheRefusalIsThrownWithItsCode()
    {
        using var alice = host.NewClient(options: new PeerServClientOptions { MaxRetries = 0 });
        using var bob = host.NewClient();

        var refused = await Assert.ThrowsAsync<PeerServClientException>(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                await alice.SendAsync(bob.Identity.Hex, "no-retry", $"message {i}");
            }
        });

        Assert.Equal((HttpStatusCode.TooManyRequests, "ERR_RATE_LIMITED"), (refused.Status, refused.Code));
    }

    [Fact]
    public async Task Cancellation_StopsTheWait()
    {
        using var alice = host.NewClient();
        using var bob = host.NewClient();
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bob.ListAsync("empty", new ListOptions(WaitSeconds: 20), cancelled.Token));
    }

    public sealed class OnePerSecond : RelayHost
    {
        protected override IEnumerable<(string Key, string Value)> Settings => [("RateLimits:RequestsPerSecond", "1"), ("RateLimits:RequestBurst", "1")];
    }
}
