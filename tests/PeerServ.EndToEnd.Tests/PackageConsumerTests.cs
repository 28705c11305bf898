using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PeerServ.Tests;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// PeerServ.Client as a NuGet package: `dotnet pack` of the client and the two packages it stands on, then the
/// example of docs/client.md built outside the repository against the packed package (not the project) and run
/// against the standalone host: send encrypted, receive live, list decrypted, acknowledge, a refusal's code.
/// </summary>
public sealed class PackageConsumerTests(StandaloneInteropTests.Host host) : IClassFixture<StandaloneInteropTests.Host>
{
    private static readonly string[] Packed = ["PeerServ.Relay", "PeerServ.Auth", "PeerServ.Client"];

    [Fact]
    public async Task PackedClient_ConsumedByTheDocsExample_RoundTrip()
    {
        var work = Directory.CreateTempSubdirectory("peerserv-package-").FullName;
        var version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var packages = Path.Combine(work, "packages");
        var consumer = Path.Combine(work, "consumer");
        try
        {
            foreach (var project in Packed)
            {
                await RunAsync("dotnet", Repository.Root, "pack", Path.Combine("shared", project), "-c", "Release", "--no-build", "-o", packages, $"-p:Version={version}", "-nologo");
            }

            Directory.CreateDirectory(consumer);
            var example = Path.Combine(Repository.Root, "docs", "examples", "PeerServ.Client.Example");
            foreach (var file in new[] { "Program.cs", "PeerServ.Client.Example.csproj" })
            {
                File.Copy(Path.Combine(example, file), Path.Combine(consumer, file));
            }

            await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><add key="peerserv-packed" value="{packages}" /></packageSources></configuration>
                """, TestContext.Current.CancellationToken);
            await RunAsync("dotnet", consumer, "build", "-c", "Release", $"-p:PeerServClientVersion={version}", "-nologo", "-clp:ErrorsOnly");
            var output = await RunAsync("dotnet", consumer, Path.Combine("bin", "Release", "net10.0", "PeerServ.Client.Example.dll"), host.Url.ToString().TrimEnd('/'));

            using var assets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(consumer, "obj", "project.assets.json"), TestContext.Current.CancellationToken));
            var client = assets.RootElement.GetProperty("libraries").GetProperty($"PeerServ.Client/{version}");
            Assert.Equal("package", client.GetProperty("type").GetString());
            Assert.Contains("live: ", output, StringComparison.Ordinal);
            Assert.Contains("wrote \"Hello Bob, from .NET\" (encrypted: True)", output, StringComparison.Ordinal);
            Assert.Contains("listed: \"Hello Bob, from .NET\"", output, StringComparison.Ordinal);
            Assert.Contains("acknowledged 1; the box now holds 0", output, StringComparison.Ordinal);
            Assert.Contains("refused: 400 ERR_INVALID_ACKNOWLEDGMENT", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            await ForgetAsync(version);
        }
    }

    [Fact]
    public async Task DocsPage_ShowsTheExampleThatIsBuiltAndRun()
    {
        var page = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "client.md"), TestContext.Current.CancellationToken);
        var program = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "examples", "PeerServ.Client.Example", "Program.cs"), TestContext.Current.CancellationToken);

        Assert.Contains("```csharp\n" + program.TrimEnd('\n') + "\n```", page.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    /// <summary>Removes this run's packages from the global packages folder, so that runs do not pile them up.</summary>
    private static async Task ForgetAsync(string version)
    {
        var listing = await RunAsync("dotnet", Repository.Root, "nuget", "locals", "global-packages", "--list");
        var folder = listing.Split(':', 2)[1].Trim();
        foreach (var id in Packed)
        {
            var path = Path.Combine(folder, id.ToLowerInvariant(), version);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    private static async Task<string> RunAsync(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}\n{await stdout}\n{await stderr}");
        return await stdout;
    }
}
