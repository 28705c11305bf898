using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PeerServ.Tests;

namespace PeerServ.EndToEnd.Tests;

/// <summary>One deployable running as its own process (`dotnet &lt;dll&gt;`) on a loopback port; stopped by pid.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(string name, Process process, Uri url)
    {
        Name = name;
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Url { get; }

    /// <summary>The management listener: /metrics.</summary>
    public Uri ManagementUrl { get; private init; } = null!;

    /// <summary>The value of one Prometheus series (summed over its label sets), 0 when absent.</summary>
    public async Task<double> MetricAsync(string name, string? labelFilter = null)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(ManagementUrl, "/metrics"));
        return text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && (line.Length > name.Length && line[name.Length] is ' ' or '{'))
            .Where(line => labelFilter is null || line.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => string.Join('\n', _output);

    /// <param name="managementListener">False leaves Management__Url unset: the host's own default.</param>
    public static ServiceProcess Start(string name, string project, IDictionary<string, string> environment, int? port = null, bool managementListener = true)
    {
        var url = new Uri($"http://127.0.0.1:{port ?? FreePort()}");
        var dll = Repository.BuiltDll(project);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // Every test identity handshakes from 127.0.0.1; the limit itself is tested in PeerServ.Auth.Tests.
        start.Environment["RateLimits__HandshakesPerMinute"] = "100000";
        start.Environment["RateLimits__UnverifiedPerMinute"] = "1000000";
        start.Environment["RateLimits__HandshakesPerSecondTotal"] = "0";
        var management = managementListener ? new Uri($"http://127.0.0.1:{FreePort()}") : url;
        if (managementListener)
        {
            start.Environment["Management__Url"] = management.ToString().TrimEnd('/');
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ServiceProcess(name, Process.Start(start)!, url) { ManagementUrl = management };
    }

    public Task WaitReadyAsync(TimeSpan timeout) => WaitHealthAsync("/health/ready", timeout);

    /// <summary>Up and answering, whatever its dependencies say.</summary>
    public Task WaitLiveAsync(TimeSpan timeout) => WaitHealthAsync("/health/live", timeout);

    private async Task WaitHealthAsync(string path, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Url, path));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} was not ready within {timeout}:\n{Output}");
    }

    /// <summary>
    /// A loopback port that is free now and was not handed out before in this run, from below the kernel's ephemeral
    /// range: a port from that range (what binding port 0 gives) can be taken by any outgoing connection — to RabbitMQ,
    /// say — in the moment between choosing it and the service binding it.
    /// </summary>
    public static int FreePort()
    {
        var (low, high) = (10_000, EphemeralRangeStart - 1);
        for (var attempt = 0; attempt < 1000 && high > low; attempt++)
        {
            var port = Random.Shared.Next(low, high + 1);
            if (!HandedOut.TryAdd(port, 0))
            {
                continue;
            }

            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    private static int EphemeralRangeStart =>
        File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
        && int.TryParse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start)
            ? start
            : 32768;

    /// <summary>SIGTERM, as Kubernetes sends it, and wait for the process to finish its shutdown.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a crash or an OOM kill looks like.</summary>
    public async Task KillHardAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
    }
}
