using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PeerServ.ServiceDefaults.Messaging;

namespace PeerServ.ServiceDefaults.Tests;

public sealed class PeerServBusTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddPeerServBus_AnyTransport_NeverReportsUsageTelemetry(bool inMemory)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:5672/";

        _ = inMemory ? builder.Services.AddPeerServInMemoryBus("test") : builder.Services.AddPeerServRabbitMqBus("test");
        using var services = builder.Services.BuildServiceProvider();

        // MassTransit 8.4+ would otherwise post to usage-tracking.masstransit.io a few minutes after the bus starts.
        Assert.False(services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    [Theory]
    [InlineData(null, "ConnectionStrings:RabbitMq (ConnectionStrings__RabbitMq): is required")]
    [InlineData("http://rabbit:5672/", "must be an amqp:// or amqps:// URL")]
    public void AddPeerServRabbitMqBus_MissingOrWrongBroker_FailsNamingTheVariable(string? url, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:RabbitMq"] = url;
        builder.Services.AddPeerServRabbitMqBus("test");
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BrokerOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPeerServInProcessEvents_NoQueuedConsumers_HandsTheEventItselfToTheConsumerWithoutABus()
    {
        await using var services = InProcessOnly();
        var sent = new Ping("a");

        await services.GetRequiredService<IRelayEvents>().PublishBatchAsync([sent, new Ping("b")], CancellationToken.None);

        // By reference: the consumer ran before the publish returned, on the very object (nothing was serialized).
        var received = services.GetRequiredService<Received>();
        Assert.Equal(["a", "b"], received.InProcess.Select(p => p.Id));
        Assert.Same(sent, received.InProcess[0]);
        Assert.Null(services.GetService<IBus>());
    }

    [Fact]
    public async Task AddPeerServInProcessEvents_ConsumerThrows_PublishThrows()
    {
        await using var services = InProcessOnly();

        // The outbox keeps an event it could not publish and publishes it again later.
        await Assert.ThrowsAnyAsync<Exception>(() => services.GetRequiredService<IRelayEvents>().PublishAsync(new Ping("throw"), CancellationToken.None));
    }

    [Fact]
    public async Task AddPeerServInProcessEvents_QueuedConsumers_EachEventReachesBoth()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<Received>();
        builder.Services.AddPeerServInProcessEvents("test", x => x.AddPerInstanceConsumer<InProcessConsumer>(), bus => bus.AddConsumer<QueuedConsumer>());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var sent = new Ping("c");
            await host.Services.GetRequiredService<IRelayEvents>().PublishAsync(sent, CancellationToken.None);

            var received = host.Services.GetRequiredService<Received>();
            Assert.Same(sent, Assert.Single(received.InProcess));
            var queued = await received.Queued.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("c", queued.Id);
            Assert.NotSame(sent, queued);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static ServiceProvider InProcessOnly()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<Received>();
        builder.Services.AddPeerServInProcessEvents("test", x => x.AddPerInstanceConsumer<InProcessConsumer>());
        return builder.Services.BuildServiceProvider();
    }

    public sealed record Ping(string Id);

    public sealed class Received
    {
        public List<Ping> InProcess { get; } = [];

        public TaskCompletionSource<Ping> Queued { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class InProcessConsumer(Received received) : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (context.Message.Id == "throw")
            {
                throw new InvalidOperationException("consumer failed (test)");
            }

            received.InProcess.Add(context.Message);
            return Task.CompletedTask;
        }
    }

    public sealed class QueuedConsumer(Received received) : IConsumer<Ping>
    {
        public Task Consume(ConsumeContext<Ping> context)
        {
            ArgumentNullException.ThrowIfNull(context);
            received.Queued.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }
}
