using System.Diagnostics;
using System.Globalization;

namespace PeerServ.LoadGen;

/// <summary>Latencies, errors and CPU (client, and server from /proc) of one phase.</summary>
internal sealed class Measurement(string phase, IReadOnlyList<int> serverPids)
{
    private readonly List<double> _latencies = [];
    private readonly Stopwatch _clock = new();
    private TimeSpan _clientCpuStart;
    private double _serverCpuStart;
    private int _errors;

    public string Phase { get; } = phase;

    private int _messages;

    public int Messages { get => _messages; set => _messages = value; }

    public void AddMessages(int count) => Interlocked.Add(ref _messages, count);

    public PhaseResult? Result { get; private set; }

    public void Start()
    {
        _clientCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _serverCpuStart = ServerCpuSeconds(serverPids);
        _clock.Start();
    }

    /// <param name="due">A Stopwatch timestamp to time from instead of now: when an open-loop request was due.</param>
    public async Task<T> TimeAsync<T>(Func<Task<T>> request, Measurement? also = null, long? due = null)
    {
        var started = due ?? Stopwatch.GetTimestamp();
        try
        {
            return await request();
        }
        finally
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Record(ms);
            also?.Record(ms);
        }
    }

    private void Record(double ms)
    {
        lock (_latencies)
        {
            _latencies.Add(ms);
        }
    }

    public void Error() => Interlocked.Increment(ref _errors);

    public PhaseResult Stop()
    {
        _clock.Stop();
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - _clientCpuStart).TotalSeconds;
        var serverCpu = serverPids.Count == 0 ? (double?)null : ServerCpuSeconds(serverPids) - _serverCpuStart;
        double[] sorted;
        lock (_latencies)
        {
            sorted = [.. _latencies.Order()];
        }

        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var seconds = _clock.Elapsed.TotalSeconds;
        Result = new PhaseResult(Phase, sorted.Length, _errors, Messages, seconds, Messages / seconds, sorted.Length / seconds,
            P(0.50), P(0.90), P(0.99), sorted.Length == 0 ? 0 : sorted[^1], clientCpu, serverCpu,
            serverCpu is null || sorted.Length == 0 ? null : serverCpu.Value * 1000 / sorted.Length);
        return Result;
    }

    /// <summary>utime + stime of each process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks).</summary>
    private static double ServerCpuSeconds(IReadOnlyList<int> pids)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        return total;
    }
}

internal sealed record PhaseResult(
    string Phase,
    int Requests,
    int Errors,
    int Messages,
    double Seconds,
    double MessagesPerSecond,
    double RequestsPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MaxMs,
    double ClientCpuSeconds,
    double? ServerCpuSeconds,
    double? ServerCpuMsPerRequest)
{
    public override string ToString()
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{Phase,-10} requests {Requests,7}  errors {Errors,4}  msg/s {MessagesPerSecond,8:F0}  req/s {RequestsPerSecond,8:F0}  p50 {P50Ms,7:F2} ms  p90 {P90Ms,7:F2} ms  p99 {P99Ms,7:F2} ms  max {MaxMs,8:F2} ms  client CPU {ClientCpuSeconds,6:F2} s");
        return ServerCpuSeconds is null ? line
            : line + string.Create(CultureInfo.InvariantCulture, $"  server CPU {ServerCpuSeconds,6:F2} s = {ServerCpuMsPerRequest,6:F3} ms/request");
    }
}
