using System.Diagnostics;
using System.Text.Json;
using PeerServ.Tests;

namespace PeerServ.EndToEnd.Tests;

/// <summary>Runs a built tool of bench/ (the load generator, the seeder) as a process, as an operator would.</summary>
internal static class BenchTool
{
    /// <summary>Runs the tool to its end; fails the test when it exits other than 0. Returns what it printed.</summary>
    public static async Task<string> RunAsync(string project, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.BuiltDll(project));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{project} did not end within {timeout}\n{await output}\n{await errors}");
        }

        Assert.True(process.ExitCode == 0, $"{project} exited {process.ExitCode}\n{await output}\n{await errors}");
        return await output;
    }

    /// <summary>Runs the load generator against <paramref name="url"/>; its verdict (from --results) and what it printed.</summary>
    public static async Task<(JsonElement Verdict, string Output)> LoadAsync(Uri url, string resultsDirectory, string mode, params string[] arguments)
    {
        var results = Path.Combine(resultsDirectory, $"{mode}-{Guid.NewGuid():N}.json");
        var output = await RunAsync("bench/PeerServ.LoadGen", ["--url", url.ToString(), "--mode", mode, "--results", results, .. arguments], TimeSpan.FromMinutes(3));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(results, TestContext.Current.CancellationToken));
        return (json.RootElement.GetProperty("verdict").Clone(), output);
    }

    /// <summary>Asserts the load generator's ledger: nothing lost, duplicated, unexpected or misattributed, no failed request.</summary>
    public static void AssertClean(JsonElement verdict) =>
        Assert.Equal((0, 0, 0, 0, 0), (verdict.GetProperty("Lost").GetInt32(), verdict.GetProperty("Duplicated").GetInt32(), verdict.GetProperty("Unexpected").GetInt32(),
            verdict.GetProperty("Misattributed").GetInt32(), verdict.GetProperty("Errors").GetInt32()));
}
