using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PeerServ.Tests;

namespace PeerServ.Deployment.Tests;

/// <summary>The Docker engine the test command started (DOCKER_HOST), and the docker and docker-compose CLIs.</summary>
internal static class Docker
{
    /// <summary>Base images from the environment (eng/containers.sh exports local stand-ins), else the official ones.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuildImages = new Dictionary<string, string>
    {
        ["PEERSERV_SDK_IMAGE"] = Environment.GetEnvironmentVariable("PEERSERV_SDK_IMAGE") ?? "mcr.microsoft.com/dotnet/sdk:10.0",
        ["PEERSERV_RUNTIME_IMAGE"] = Environment.GetEnvironmentVariable("PEERSERV_RUNTIME_IMAGE") ?? "mcr.microsoft.com/dotnet/aspnet:10.0",
        ["PEERSERV_NODE_IMAGE"] = Environment.GetEnvironmentVariable("PEERSERV_NODE_IMAGE") ?? "node:20-bookworm-slim",
    };

    public static string RabbitMqImage => Environment.GetEnvironmentVariable("PEERSERV_RABBITMQ_IMAGE") ?? "rabbitmq:3.13-management";

    public static string MongoWireImage => Environment.GetEnvironmentVariable("PEERSERV_MONGO_WIRE_IMAGE") ?? "local/jongodb:0.1.6";

    /// <summary>Fails loudly when there is no engine: these tests never skip.</summary>
    public static void RequireEngine()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            throw new InvalidOperationException("DOCKER_HOST is not set: these tests need a Docker engine. Run eng/test.sh, which starts one (eng/containers.sh).");
        }
    }

    public static Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        RequireEngine();
        return Run(file, args, environment, timeout ?? TimeSpan.FromMinutes(15));
    }

    /// <summary>A command that needs no engine (git, kubectl).</summary>
    public static Task<(int ExitCode, string Output)> RunLocalAsync(string file, IEnumerable<string> args) => Run(file, args, null, TimeSpan.FromMinutes(2));

    /// <summary>Runs a command, failing with its output when it does not exit 0.</summary>
    public static async Task<string> CheckAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var (exit, output) = await RunAsync(file, args, environment, timeout);
        return exit == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {exit}:\n{Tail(output, 60)}");
    }

    public static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int, string)> Run(string file, IEnumerable<string> args, IDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran longer than {timeout}:\n{Tail(output.ToString(), 60)}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
