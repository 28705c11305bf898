using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace PeerServ.EndToEnd.Tests;

/// <summary>How the standalone host starts for a newcomer: beside another one, with a port taken, in a terminal or in Development.</summary>
public sealed class StandaloneStartupTests : IDisposable
{
    private readonly List<string> _directories = [];

    [Fact]
    public async Task TwoHosts_DefaultSettings_BothStartAndServeMetricsOnTheirOwnPort()
    {
        await using var first = Start([], managementListener: false);
        await using var second = Start([], managementListener: false);

        await first.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await second.WaitReadyAsync(TimeSpan.FromSeconds(30));

        using var http = new HttpClient();
        foreach (var host in new[] { first, second })
        {
            var metrics = await http.GetStringAsync(new Uri(host.Url, "/metrics"), TestContext.Current.CancellationToken);
            Assert.Contains("# TYPE", metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Host_ManagementPortTaken_StartsAndSaysSoInOneLineNamingTheSetting()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var host = Start(new() { ["Management__Url"] = $"http://127.0.0.1:{port}" }, managementListener: false);
        await host.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300, TestContext.Current.CancellationToken);

        var lines = host.Output.Split('\n');
        var warning = Assert.Single(lines, l => l.Contains("Management:Url", StringComparison.Ordinal));
        Assert.Contains("Management__Url", warning, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), warning, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_Redirected_JsonLines_AndTheBannerSaysWhereEverythingIs()
    {
        await using var host = Start([], managementListener: false);
        await host.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300, TestContext.Current.CancellationToken);

        var banner = host.Output.Split('\n').Single(l => l.Contains("PeerServ relay listening", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(banner);
        var state = json.RootElement.GetProperty("State");
        Assert.Equal(host.Url.ToString().TrimEnd('/'), state.GetProperty("Urls").GetString());
        Assert.Equal(_directories[^1], state.GetProperty("DataDirectory").GetString());
        Assert.Equal(new Uri(host.Url, "/docs").ToString(), state.GetProperty("DocsUrl").GetString());
        Assert.Matches("^0[23][0-9a-f]{64}$", state.GetProperty("ServerIdentityKey").GetString()!);
    }

    [Fact]
    public async Task Logs_InDevelopment_ReadableLines()
    {
        await using var host = Start(new() { ["DOTNET_ENVIRONMENT"] = "Development" }, managementListener: false);
        await host.WaitReadyAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(300, TestContext.Current.CancellationToken);

        var banner = host.Output.Split('\n').Single(l => l.Contains("PeerServ relay listening", StringComparison.Ordinal));
        Assert.Matches(@"^\d\d:\d\d:\d\d info: ", banner);
    }

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private ServiceProcess Start(Dictionary<string, string> environment, bool managementListener)
    {
        var data = Directory.CreateTempSubdirectory("peerserv-startup-").FullName;
        _directories.Add(data);
        environment["Standalone__DataDirectory"] = data;
        return ServiceProcess.Start("standalone", "services/PeerServ.Standalone", environment, managementListener: managementListener);
    }
}
