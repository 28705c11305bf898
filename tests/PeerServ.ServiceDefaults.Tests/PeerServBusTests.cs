using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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

        builder.AddPeerServBus("test", _ => { }, inMemory);
        using var services = builder.Services.BuildServiceProvider();

        // MassTransit 8.4+ would otherwise post to usage-tracking.masstransit.io a few minutes after the bus starts.
        Assert.False(services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
