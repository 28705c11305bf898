using PeerServ.Tests.Containers;
using PeerServ.Tests.Push;
using PeerServ.Tests.Relay;

[assembly: AssemblyFixture(typeof(TestServers))]

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// The shared stack of the end-to-end tests: two mailbox-query, two live and two permissions replicas over the
/// assembly's RabbitMQ and MongoDB-wire containers, the permissions replicas pushing to a fake FCM.
/// </summary>
public sealed class DistributedStack(TestServers servers) : StackProcesses, IAsyncLifetime
{
    /// <summary>The broker the stack's services share.</summary>
    public string RabbitMq => servers.RabbitMq;

    /// <summary>Where both permissions replicas send their pushes.</summary>
    public FakeFcm Fcm { get; private set; } = null!;

    /// <summary>The real npm clients' suite through this stack's gateway (run once, on first use).</summary>
    public InteropSuite Interop => field ??= new InteropSuite(() => Gateway.Url);

    public async ValueTask InitializeAsync()
    {
        Fcm = await FakeFcm.StartAsync();
        await StartAsync(servers.Mongo, servers.RabbitMq, queryReplicas: 2, liveReplicas: 2, permissionsReplicas: 2, permissions: new Dictionary<string, string>
        {
            ["Push__CredentialsJson"] = Fcm.ServiceAccountJson,
            ["Push__FcmUrl"] = Fcm.Url.ToString(),
            ["Push__RetryDelayMilliseconds"] = "50",
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Fcm.DisposeAsync();
    }
}
