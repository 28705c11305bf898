using System.Globalization;

namespace PeerServ.EndToEnd.Tests;

/// <summary>A short paced run of bench/PeerServ.LoadGen through the distributed stack's gateway: every send confirmed and listed, nothing lost.</summary>
[Collection(DistributedStackCollection.Name)]
public sealed class DistributedLoadGeneratorSmokeTests(DistributedStack stack) : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("peerserv-loadgen-distributed-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    [Fact]
    public async Task LoadGenerator_PacedRunThroughTheGateway_EverySendConfirmedAndListed()
    {
        var pids = string.Join(',', stack.Processes.Select(p => p.Pid.ToString(CultureInfo.InvariantCulture)));
        var (verdict, output) = await BenchTool.LoadAsync(stack.Gateway.Url, _results, "paced",
            "--identities", "4", "--rate", "20", "--warmup", "1", "--duration", "3", "--server-pids", pids);

        Assert.InRange(verdict.GetProperty("Confirmed").GetInt32(), 40, 80);
        BenchTool.AssertClean(verdict);
        Assert.Contains("ms/request", output, StringComparison.Ordinal);
    }
}
