using PeerServ.Tests.Containers;
using PeerServ.Tests.Relay;

[assembly: AssemblyFixture(typeof(TestServers))]

namespace PeerServ.EndToEnd.Tests;

/// <summary>The shared stack of the end-to-end tests: two mailbox-query and two live replicas over the assembly's RabbitMQ and MongoDB-wire containers.</summary>
public sealed class DistributedStack(TestServers servers) : StackProcesses, IAsyncLifetime
{

    /// <summary>The real npm clients' suite through this stack's gateway (run once, on first use).</summary>
    public InteropSuite Interop => field ??= new InteropSuite(() => Gateway.Url);

    public async ValueTask InitializeAsync() => await StartAsync(servers.Mongo, servers.RabbitMq, queryReplicas: 2, liveReplicas: 2);
}
