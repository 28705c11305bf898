using System.Diagnostics;
using System.Text.Json;

namespace PeerServ.Tests.Relay;

/// <summary>
/// tests/interop/suite.mjs — the real npm clients against one running relay — run once per target; each of its
/// cases becomes one xunit case here, named as the suite names it, failing with what the suite saw.
/// </summary>
public sealed class InteropSuite
{
    private static readonly Lazy<string[]> Names = new(() => Run("--list").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    private readonly Lazy<Task<Dictionary<string, JsonElement>>> _results;

    public InteropSuite(Func<Uri> baseUrl) =>
        _results = new(() => Task.Run(() => Run(baseUrl().ToString().TrimEnd('/'))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToDictionary(e => e.Str("case"))));

    public static TheoryData<string> CaseNames() => new(Names.Value);

    public async Task AssertCaseAsync(string name)
    {
        var results = await _results.Value;
        Assert.True(results.TryGetValue(name, out var result), $"The suite did not report '{name}'. It reported: {string.Join(" | ", results.Keys)}");
        Assert.True(result.GetProperty("ok").GetBoolean(), $"{name}\n{(result.TryGetProperty("error", out var error) ? error.GetString() : "")}");
    }

    private static string Run(string argument)
    {
        var dir = NodeClient.InteropDirectory;
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@bsv", "message-box-client")))
        {
            throw new InvalidOperationException($"The real npm clients are not installed in {dir}: run eng/test.sh (it runs npm ci there).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("suite.mjs");
        start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("node suite.mjs ran longer than 10 minutes");
        }

        return process.ExitCode == 0 ? stdout : throw new InvalidOperationException($"node suite.mjs {argument} exited {process.ExitCode}: {stderr.Result}");
    }
}
