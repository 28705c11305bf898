using DotNet.Testcontainers.Containers;
using PeerServ.Tests.Containers;
using Testcontainers.RabbitMq;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// A stack with its own RabbitMQ and MongoDB-wire containers on fixed loopback ports, so that tests can stop them and
/// start them again where the services expect them, without disturbing the shared stack.
/// </summary>
public sealed class FaultStack : IAsyncLifetime
{
    private readonly int _rabbitPort = ServiceProcess.FreePort();
    private readonly int _mongoPort = ServiceProcess.FreePort();
    private readonly RabbitMqContainer _rabbit;
    private readonly IContainer _mongo;

    public FaultStack()
    {
        _rabbit = TestContainers.RabbitMq(_rabbitPort);
        _mongo = TestContainers.MongoWire(_mongoPort);
    }

    public StackProcesses Stack { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(StartRabbitAsync(), StartMongoAsync());
        await Stack.StartAsync(TestContainers.MongoConnectionString(_mongo), _rabbit.GetConnectionString(), queryReplicas: 1);
    }

    /// <summary>Starts the broker (again: a restart keeps its state, as a real restart would).</summary>
    public Task StartRabbitAsync() => _rabbit.StartAsync();

    public Task StopRabbitAsync() => _rabbit.StopAsync();

    /// <summary>Starts the store (again: empty, it keeps its data in memory).</summary>
    public Task StartMongoAsync() => _mongo.StartAsync();

    public Task StopMongoAsync() => _mongo.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        await _rabbit.DisposeAsync();
        await _mongo.DisposeAsync();
    }
}
