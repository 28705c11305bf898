using PeerServ.Auth.Crypto;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// Gateway + ingest + two mailbox-query replicas + ack as real processes on loopback, over the RabbitMQ and
/// MongoDB-wire servers eng/test.sh started. One database and one secret per stack.
/// </summary>
public sealed class DistributedStack : IAsyncLifetime
{
    private readonly List<ServiceProcess> _processes = [];

    public DistributedStack() => Interop = new InteropSuite(() => Gateway.Url);

    /// <summary>The real npm clients' suite through this stack's gateway (run once, on first use).</summary>
    public InteropSuite Interop { get; }

    public PrivateKey ServerKey { get; } = PrivateKey.Generate();

    public string InternalSecret { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public ServiceProcess Gateway { get; private set; } = null!;

    public ServiceProcess Ingest { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess> Processes => _processes;

    public async ValueTask InitializeAsync()
    {
        var common = new Dictionary<string, string>
        {
            ["Gateway__InternalSecret"] = InternalSecret,
            ["Storage__MongoConnectionString"] = Repository.Require("PEERSERV_TEST_MONGO", "the MongoDB-wire test server"),
            ["Storage__MongoDatabase"] = "e2e" + Guid.NewGuid().ToString("N")[..12],
            ["ConnectionStrings__RabbitMq"] = Repository.Require("PEERSERV_TEST_RABBITMQ", "RabbitMQ"),
        };
        Ingest = Start("ingest", "services/PeerServ.Ingest", common);
        var queries = new[] { Start("mailbox-query-1", "services/PeerServ.MailboxQuery", common), Start("mailbox-query-2", "services/PeerServ.MailboxQuery", common) };
        var ack = Start("ack", "services/PeerServ.Ack", common);
        var gateway = new Dictionary<string, string>(common)
        {
            ["Auth__ServerPrivateKey"] = ServerKey.ToHex(),
            ["ReverseProxy__Clusters__ingest__Destinations__d1__Address"] = Ingest.Url.ToString(),
            ["ReverseProxy__Clusters__mailbox-query__Destinations__d1__Address"] = queries[0].Url.ToString(),
            ["ReverseProxy__Clusters__mailbox-query__Destinations__d2__Address"] = queries[1].Url.ToString(),
            ["ReverseProxy__Clusters__ack__Destinations__d1__Address"] = ack.Url.ToString(),
        };
        Gateway = Start("gateway", "gateway/PeerServ.Gateway", gateway);
        await Task.WhenAll(_processes.Select(p => p.WaitReadyAsync(TimeSpan.FromSeconds(90))));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }

    private ServiceProcess Start(string name, string project, IDictionary<string, string> environment)
    {
        var process = ServiceProcess.Start(name, project, environment);
        _processes.Add(process);
        return process;
    }
}

[CollectionDefinition(Name)]
public sealed class DistributedStackCollection : ICollectionFixture<DistributedStack>
{
    public const string Name = "distributed stack";
}
