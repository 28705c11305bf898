using System.Diagnostics;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// A stack with its own RabbitMQ and MongoDB-wire server on fixed loopback ports, so that tests can stop them and
/// start them again where the services expect them, without disturbing the shared stack.
/// </summary>
public sealed class FaultStack : IAsyncLifetime
{
    private readonly string _state = Directory.CreateTempSubdirectory("peerserv-faults-").FullName;
    private readonly int _rabbitPort = ServiceProcess.FreePort();
    private readonly int _mongoPort = ServiceProcess.FreePort();

    public StackProcesses Stack { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await StartRabbitAsync();
        await StartMongoAsync();
        await Stack.StartAsync($"mongodb://127.0.0.1:{_mongoPort}/?replicaSet=rs0&serverMonitoringMode=poll", $"amqp://guest:guest@127.0.0.1:{_rabbitPort}/", queryReplicas: 1);
    }

    public Task StartRabbitAsync() => Script("start-rabbit", _rabbitPort);

    public Task StopRabbitAsync() => Script("stop-rabbit");

    public Task StartMongoAsync() => Script("start-mongo", _mongoPort);

    public Task StopMongoAsync() => Script("stop-mongo");

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        await Script("stop");
        Directory.Delete(_state, recursive: true);
    }

    private async Task Script(string command, int? port = null)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "eng", "services.sh"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(_state);
        if (port is not null)
        {
            start.ArgumentList.Add(port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/services.sh {command} failed: {await stderr}");
        }
    }
}
