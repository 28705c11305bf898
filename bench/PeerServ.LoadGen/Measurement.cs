using System.Diagnostics;
using System.Globalization;

namespace PeerServ.LoadGen;

/// <summary>
/// Latencies, errors and CPU of one phase: the client's, the server processes' (from /proc, summed and each), and
/// that of <paramref name="otherPids"/> — the broker and the store — reported beside the server's, not in it.
/// </summary>
internal sealed class Measurement(string phase, IReadOnlyList<int> serverPids, IReadOnlyList<int>? otherPids = null)
{
    private readonly List<double> _latencies = [];
    private readonly Stopwatch _clock = new();
    private readonly IReadOnlyList<int> _otherPids = otherPids ?? [];
    private TimeSpan _clientCpuStart;
    private double[] _serverCpuStart = [];
    private double[] _otherCpuStart = [];
    private int _errors;

    public string Phase { get; } = phase;

    private int _messages;

    public int Messages { get => _messages; set => _messages = value; }

    public void AddMessages(int count) => Interlocked.Add(ref _messages, count);

    public PhaseResult? Result { get; private set; }

    public void Start()
    {
        _clientCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        _serverCpuStart = CpuSeconds(serverPids);
        _otherCpuStart = CpuSeconds(_otherPids);
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
        var byProcess = CpuSeconds(serverPids).Select((cpu, i) => new ProcessCpu(serverPids[i], cpu - _serverCpuStart[i])).ToArray();
        var others = CpuSeconds(_otherPids).Select((cpu, i) => new ProcessCpu(_otherPids[i], cpu - _otherCpuStart[i])).ToArray();
        var serverCpu = serverPids.Count == 0 ? (double?)null : byProcess.Sum(p => p.CpuSeconds);
        double[] sorted;
        lock (_latencies)
        {
            sorted = [.. _latencies.Order()];
        }

        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        var seconds = _clock.Elapsed.TotalSeconds;
        Result = new PhaseResult(Phase, sorted.Length, _errors, Messages, seconds, Messages / seconds, sorted.Length / seconds,
            P(0.50), P(0.90), P(0.99), sorted.Length == 0 ? 0 : sorted[^1], clientCpu, serverCpu,
            serverCpu is null || sorted.Length == 0 ? null : serverCpu.Value * 1000 / sorted.Length,
            byProcess, others);
        return Result;
    }

    /// <summary>utime + stime of each process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks).</summary>
    private static double[] CpuSeconds(IReadOnlyList<int> pids) =>
    [
        .. pids.Select(pid =>
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }),
    ];
}

/// <summary>CPU one process spent during a phase.</summary>
internal sealed record ProcessCpu(int Pid, double CpuSeconds)
{
    /// <summary>The process's name (/proc/PID/comm; for dotnet hosts, the entry assembly from the command line).</summary>
    public string Name { get; } = NameOf(Pid);

    private static string NameOf(int pid)
    {
        try
        {
            var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            var dll = argv.FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal));
            return dll is not null ? Path.GetFileNameWithoutExtension(dll) : File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return pid.ToString(CultureInfo.InvariantCulture);
        }
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
    double? ServerCpuMsPerRequest,
    IReadOnlyList<ProcessCpu> ServerCpuByProcess,
    IReadOnlyList<ProcessCpu> OtherCpu)
{
    /// <summary>Each server process's and each other process's CPU per request of the phase, one line each; empty when one server and no others.</summary>
    public string Breakdown()
    {
        if (Requests == 0 || (ServerCpuByProcess.Count < 2 && OtherCpu.Count == 0))
        {
            return "";
        }

        string Line(ProcessCpu p, string kind) => string.Create(CultureInfo.InvariantCulture,
            $"  {kind,-7} {p.Name,-28} pid {p.Pid,7}  CPU {p.CpuSeconds,7:F2} s = {p.CpuSeconds * 1000 / Requests,7:F3} ms/request");
        return string.Join(Environment.NewLine, ServerCpuByProcess.Select(p => Line(p, "server")).Concat(OtherCpu.Select(p => Line(p, "beside"))));
    }

    public override string ToString()
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{Phase,-10} requests {Requests,7}  errors {Errors,4}  msg/s {MessagesPerSecond,8:F0}  req/s {RequestsPerSecond,8:F0}  p50 {P50Ms,7:F2} ms  p90 {P90Ms,7:F2} ms  p99 {P99Ms,7:F2} ms  max {MaxMs,8:F2} ms  client CPU {ClientCpuSeconds,6:F2} s");
        line = ServerCpuSeconds is null ? line
            : line + string.Create(CultureInfo.InvariantCulture, $"  server CPU {ServerCpuSeconds,6:F2} s = {ServerCpuMsPerRequest,6:F3} ms/request");
        var beside = OtherCpu.Sum(p => p.CpuSeconds);
        return OtherCpu.Count == 0 || Requests == 0 ? line
            : line + string.Create(CultureInfo.InvariantCulture, $"  (beside it {beside,6:F2} s = {beside * 1000 / Requests,6:F3} ms/request)");
    }
}
