using System.Diagnostics;
using System.Text.Json;

namespace PeerServ.Tests.Relay;

/// <summary>Runs a script of tests/interop with the real npm clients installed there by the test script.</summary>
public static class NodeClient
{
    /// <summary>tests/interop of this checkout, or PEERSERV_INTEROP_DIR.</summary>
    public static string InteropDirectory => Repository.Interop;

    public static async Task<JsonElement> RunAsync(string script, params string[] args)
    {
        var dir = InteropDirectory;
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "@bsv", "sdk")),
            $"The real npm clients are not installed in {dir}: run eng/test.sh (it runs npm ci there).");
        var start = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node {script} timed out; stderr: {await stderr}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"node {script} {string.Join(' ', args)} exited {process.ExitCode}\nstdout: {output}\nstderr: {await stderr}");
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonDocument.Parse(last).RootElement.Clone();
    }
}
