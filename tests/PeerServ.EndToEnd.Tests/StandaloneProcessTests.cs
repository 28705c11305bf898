using System.Collections.Concurrent;
using System.Net;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>The standalone host as `dotnet run` starts it: a real process on a loopback port with its own data directory.</summary>
public sealed class StandaloneProcessTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-standalone-e2e-").FullName;
    private ServiceProcess _host = null!;

    public async ValueTask InitializeAsync() => _host = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task KillDashNine_DuringSends_EveryMessageAnswered200SurvivesOnce()
    {
        var bob = PrivateKey.Generate();
        var confirmed = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            using var sender = new RelayClient(PrivateKey.Generate(), _host.Url, new SocketsHttpHandler());
            for (var i = 0; !stop.IsCancellationRequested && i < 400; i++)
            {
                try
                {
                    var (status, _) = await sender.SendAsync(bob.PublicKey.Hex, "crash", $"{s}/{i}", $"k-{s}-{i}");
                    if (status == HttpStatusCode.OK)
                    {
                        confirmed.Add($"k-{s}-{i}");
                    }
                }
                catch (HttpRequestException)
                {
                    return; // the process is gone: requests in flight fail, nothing else
                }
            }
        })).ToList();

        while (confirmed.Count < 40)
        {
            await Task.Delay(20);
        }

        await _host.KillHardAsync();
        stop.Cancel();
        await Task.WhenAll(senders);
        await _host.DisposeAsync();
        _host = await StartAsync();
        using var reader = new RelayClient(bob, _host.Url, new SocketsHttpHandler());
        var (listStatus, listed) = await reader.PostAsync("/listMessages", new { messageBox = "crash", limit = 1000 });

        Assert.Equal(HttpStatusCode.OK, listStatus);
        var ids = listed.GetProperty("messages").EnumerateArray().Select(m => m.Str("messageId")).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var missing = confirmed.Except(ids).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {confirmed.Count} confirmed messages were lost: {string.Join(", ", missing.Take(10))}");
    }

    private async Task<ServiceProcess> StartAsync()
    {
        var process = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string> { ["Standalone__DataDirectory"] = _data });
        await process.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return process;
    }
}
