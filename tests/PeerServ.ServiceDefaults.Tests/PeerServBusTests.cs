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
}
