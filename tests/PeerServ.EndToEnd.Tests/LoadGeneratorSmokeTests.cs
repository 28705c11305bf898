using System.Text.Json;
using PeerServ.Tests;

namespace PeerServ.EndToEnd.Tests;

/// <summary>A short run of bench/PeerServ.LoadGen (a few hundred messages) against the standalone process: zero loss.</summary>
public sealed class LoadGeneratorSmokeTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-loadgen-").FullName;
    private ServiceProcess _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string> { ["Standalone__DataDirectory"] = _data });
        await _host.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Theory]
    [InlineData("phases", "brc104")]
    [InlineData("steady", "brc31")]
    public async Task LoadGenerator_ShortRun_NothingLostDuplicatedOrMisattributed(string mode, string protocol)
    {
        var (verdict, output) = await RunAsync(mode,
            "--protocol", protocol, "--identities", "8", "--recipients", "2", "--messages", "300", "--warmup", "0", "--ack-batch", "25",
            "--server-pids", _host.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(600, verdict.GetProperty("Confirmed").GetInt32());
        BenchTool.AssertClean(verdict);
        Assert.Contains("verdict: OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadGenerator_PacedRun_EverySendConfirmedAndListed()
    {
        var (verdict, output) = await RunAsync("paced", "--identities", "4", "--rate", "50", "--warmup", "1", "--duration", "3",
            "--server-pids", _host.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.InRange(verdict.GetProperty("Confirmed").GetInt32(), 100, 200);
        BenchTool.AssertClean(verdict);
        Assert.Contains("ms/request", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("live-delivery", "--identities", "8", "--senders", "2", "--rate", "40", "--warmup", "1", "--duration", "3")]
    [InlineData("live-idle", "--sockets", "20", "--duration", "1")]
    public async Task LoadGenerator_LiveModes_ShortRun_EverySocketHeldEveryMessageDelivered(string mode, params string[] arguments)
    {
        var (verdict, _) = await RunAsync(mode, arguments);

        Assert.True(verdict.GetProperty("Confirmed").GetInt32() > 0);
        Assert.Equal((0, 0), (verdict.GetProperty("Lost").GetInt32(), verdict.GetProperty("Errors").GetInt32()));
    }

    private Task<(JsonElement Verdict, string Output)> RunAsync(string mode, params string[] arguments) => BenchTool.LoadAsync(_host.Url, _data, mode, arguments);
}
