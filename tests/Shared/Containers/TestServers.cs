using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Testcontainers.RabbitMq;

namespace PeerServ.Tests.Containers;

/// <summary>
/// Real RabbitMQ and the MongoDB-wire test server as Testcontainers containers on the Docker engine of DOCKER_HOST.
/// Images from PEERSERV_RABBITMQ_IMAGE (default: the official rabbitmq:3.13-management) and PEERSERV_MONGO_WIRE_IMAGE
/// (jongodb, which eng/containers.sh builds as local/jongodb:0.1.6). A missing engine or image fails the test loudly.
/// </summary>
public static class TestContainers
{
    public const int MongoPort = 27017;

    public static string RabbitMqImage => Environment.GetEnvironmentVariable("PEERSERV_RABBITMQ_IMAGE") is { Length: > 0 } image ? image : "rabbitmq:3.13-management";

    public static string MongoWireImage => Environment.GetEnvironmentVariable("PEERSERV_MONGO_WIRE_IMAGE") is { Length: > 0 } image
        ? image
        : throw new InvalidOperationException("PEERSERV_MONGO_WIRE_IMAGE is not set: the MongoDB-wire test server's image is needed. Run eng/test.sh (eng/containers.sh builds local/jongodb:0.1.6).");

    /// <summary>A broker; on <paramref name="hostPort"/> (127.0.0.1) when given, so that it can be stopped and started where clients expect it.</summary>
    public static RabbitMqContainer RabbitMq(int? hostPort = null)
    {
        RequireEngine();
        var builder = new RabbitMqBuilder(RabbitMqImage).WithUsername("peerserv").WithPassword("peerserv");
        return (hostPort is { } port ? builder.WithPortBinding(port, RabbitMqBuilder.RabbitMqPort) : builder).Build();
    }

    /// <summary>jongodb as a single-node replica set; its data lives in memory and is gone when it stops.</summary>
    public static IContainer MongoWire(int? hostPort = null)
    {
        RequireEngine();
        var builder = new ContainerBuilder(MongoWireImage)
            .WithCommand("--host=0.0.0.0", $"--port={MongoPort}", "--replica-set-name=rs0", "--topology-profile=singleNodeReplicaSet")
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("JONGODB_URI="));
        return (hostPort is { } port ? builder.WithPortBinding(port, MongoPort) : builder.WithPortBinding(MongoPort, assignRandomHostPort: true)).Build();
    }

    /// <summary>
    /// The driver talks to the published port directly (the member the replica set advertises is the container's own
    /// address); jongodb needs polling server monitoring with MongoDB.Driver 3.
    /// </summary>
    public static string MongoConnectionString(IContainer mongo) =>
        $"mongodb://127.0.0.1:{mongo.GetMappedPublicPort(MongoPort)}/?directConnection=true&serverMonitoringMode=poll";

    private static void RequireEngine()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            throw new InvalidOperationException("DOCKER_HOST is not set: RabbitMQ and the MongoDB-wire server run as containers. Run eng/test.sh, which starts a Docker engine.");
        }
    }
}

/// <summary>One RabbitMQ and one MongoDB-wire server shared by a whole test assembly (an assembly fixture).</summary>
public sealed class TestServers : IAsyncLifetime
{
    private readonly RabbitMqContainer _rabbit = TestContainers.RabbitMq();
    private readonly IContainer _mongo = TestContainers.MongoWire();

    public string RabbitMq => _rabbit.GetConnectionString();

    public string Mongo => TestContainers.MongoConnectionString(_mongo);

    public async ValueTask InitializeAsync() => await Task.WhenAll(_rabbit.StartAsync(), _mongo.StartAsync());

    public async ValueTask DisposeAsync()
    {
        await _rabbit.DisposeAsync();
        await _mongo.DisposeAsync();
    }
}
