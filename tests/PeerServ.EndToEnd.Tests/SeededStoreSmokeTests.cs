using System.Globalization;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// bench/PeerServ.Seed fills a standalone store, the host starts on the filled file, and the load generator's steady
/// run (send, list, acknowledge) over it loses nothing — the growth benchmark of docs/benchmarks.md in miniature.
/// </summary>
public sealed class SeededStoreSmokeTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-seeded-").FullName;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Seeder_FillsTheStore_HostServesOverIt_NothingLost()
    {
        var seeded = await BenchTool.RunAsync("bench/PeerServ.Seed",
            ["--data", _data, "--messages", "3000", "--identities", "300", "--in-flight", "512"], TimeSpan.FromMinutes(2));
        Assert.Contains("seeded 3000 messages (0 refused, 0 left pending) between 300 identities", seeded, StringComparison.Ordinal);
        Assert.Contains("holds 3000 messages", seeded, StringComparison.Ordinal);

        // A second run adds to what is there (fresh ids from another random seed), as seeding to a million in steps does.
        var more = await BenchTool.RunAsync("bench/PeerServ.Seed",
            ["--data", _data, "--messages", "1000", "--identities", "300", "--random-seed", "2"], TimeSpan.FromMinutes(2));
        Assert.Contains("holds 4000 messages", more, StringComparison.Ordinal);

        await using var host = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string> { ["Standalone__DataDirectory"] = _data });
        await host.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var (verdict, output) = await BenchTool.LoadAsync(host.Url, _data, "steady",
            "--identities", "4", "--messages", "200", "--steady-list-every", "20", "--warmup", "0", "--duration", "30",
            "--server-pids", host.Pid.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(200, verdict.GetProperty("Confirmed").GetInt32());
        BenchTool.AssertClean(verdict);
        Assert.Contains("  list", output, StringComparison.Ordinal);
    }
}
