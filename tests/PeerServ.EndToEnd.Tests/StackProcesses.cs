using PeerServ.Auth.Crypto;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// Gateway + ingest + mailbox-query replica(s) + ack + permissions replica(s) + live replica(s) as real processes on fixed loopback ports (so that one can be
/// killed and restarted where the gateway expects it), over the given RabbitMQ and MongoDB-wire servers.
/// </summary>
public class StackProcesses : IAsyncDisposable
{
    private readonly Dictionary<string, (string Project, int Port, Dictionary<string, string> Environment)> _specs = [];
    private readonly Dictionary<string, ServiceProcess> _running = [];

    public PrivateKey ServerKey { get; } = PrivateKey.Generate();

    public string InternalSecret { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public ServiceProcess Gateway => _running["gateway"];

    public ServiceProcess Ingest => _running["ingest"];

    public IReadOnlyList<ServiceProcess> Processes => [.. _running.Values];

    /// <param name="permissions">Settings of the permissions replicas beyond the common ones (push, say).</param>
    public async Task StartAsync(string mongo, string rabbit, int queryReplicas, int liveReplicas = 0, int permissionsReplicas = 1, IReadOnlyDictionary<string, string>? permissions = null)
    {
        var common = new Dictionary<string, string>
        {
            ["Gateway__InternalSecret"] = InternalSecret,
            ["Storage__MongoConnectionString"] = mongo,
            ["Storage__MongoDatabase"] = "e2e" + Guid.NewGuid().ToString("N")[..12],
            ["ConnectionStrings__RabbitMq"] = rabbit,
        };
        var gateway = new Dictionary<string, string>(common) { ["Auth__ServerPrivateKey"] = ServerKey.ToHex() };
        Define("ingest", "services/PeerServ.Ingest", common, gateway, "ingest", "d1");
        for (var i = 1; i <= queryReplicas; i++)
        {
            Define($"mailbox-query-{i}", "services/PeerServ.MailboxQuery", common, gateway, "mailbox-query", $"d{i}");
        }

        Define("ack", "services/PeerServ.Ack", common, gateway, "ack", "d1");
        var permissionSettings = new Dictionary<string, string>(common);
        foreach (var (name, value) in permissions ?? new Dictionary<string, string>())
        {
            permissionSettings[name] = value;
        }

        for (var i = 1; i <= permissionsReplicas; i++)
        {
            Define(permissionsReplicas == 1 ? "permissions" : $"permissions-{i}", "services/PeerServ.Permissions", permissionSettings, gateway, "permissions", $"d{i}");
        }
        var live = new Dictionary<string, string>(common)
        {
            ["Auth__ServerPrivateKey"] = ServerKey.ToHex(),
            ["Live__IngestUrl"] = $"http://127.0.0.1:{_specs["ingest"].Port}/",
        };
        for (var i = 1; i <= liveReplicas; i++)
        {
            Define($"live-{i}", "services/PeerServ.Live", live, gateway, "live", $"d{i}");
        }

        _specs["gateway"] = ("gateway/PeerServ.Gateway", ServiceProcess.FreePort(), gateway);
        foreach (var name in _specs.Keys)
        {
            _running[name] = Launch(name);
        }

        await Task.WhenAll(_running.Values.Select(p => p.WaitReadyAsync(TimeSpan.FromSeconds(90))));
    }

    /// <summary>Starts a stopped (or killed) process again on its port and waits until it is ready.</summary>
    public async Task RestartAsync(string name)
    {
        await _running[name].DisposeAsync();
        _running[name] = Launch(name);
        await _running[name].WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    public ServiceProcess this[string name] => _running[name];

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var process in _running.Values)
        {
            await process.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private void Define(string name, string project, Dictionary<string, string> environment, Dictionary<string, string> gateway, string cluster, string destination)
    {
        var port = ServiceProcess.FreePort();
        _specs[name] = (project, port, environment);
        gateway[$"ReverseProxy__Clusters__{cluster}__Destinations__{destination}__Address"] = $"http://127.0.0.1:{port}/";
    }

    private ServiceProcess Launch(string name)
    {
        var (project, port, environment) = _specs[name];
        return ServiceProcess.Start(name, project, environment, port);
    }
}
