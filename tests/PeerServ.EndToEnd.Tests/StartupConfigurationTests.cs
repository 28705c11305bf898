namespace PeerServ.EndToEnd.Tests;

/// <summary>Every deployable refuses to start with a message that names the missing or bad setting.</summary>
public sealed class StartupConfigurationTests
{
    [Theory]
    [InlineData("gateway/PeerServ.Gateway", "Auth__ServerPrivateKey", "Auth:ServerPrivateKey")]
    [InlineData("gateway/PeerServ.Gateway", "Gateway__InternalSecret", "Gateway:InternalSecret")]
    [InlineData("services/PeerServ.Ingest", "Storage__MongoConnectionString", "Storage:MongoConnectionString")]
    [InlineData("services/PeerServ.MailboxQuery", "ConnectionStrings__RabbitMq", "ConnectionStrings:RabbitMq")]
    [InlineData("services/PeerServ.Ack", "Gateway__InternalSecret", "Gateway:InternalSecret")]
    [InlineData("services/PeerServ.Permissions", "Storage__MongoConnectionString", "Storage:MongoConnectionString")]
    public Task Deployable_MissingSetting_ExitsNamingIt(string project, string missing, string named) => ExitsNamingAsync(project, missing, "", named);

    [Theory]
    [InlineData("services/PeerServ.Ingest")]
    [InlineData("gateway/PeerServ.Gateway")]
    public Task Deployable_ExamplePlaceholderSecret_ExitsNamingIt(string project) =>
        ExitsNamingAsync(project, "Gateway__InternalSecret", "replace-with-a-long-random-secret", "Gateway__InternalSecret");

    private static async Task ExitsNamingAsync(string project, string setting, string value, string named)
    {
        var environment = new Dictionary<string, string>
        {
            ["Auth__ServerPrivateKey"] = Auth.Crypto.PrivateKey.Generate().ToHex(),
            ["Gateway__InternalSecret"] = new string('s', 40),
            ["Storage__MongoConnectionString"] = "mongodb://127.0.0.1:1/?serverMonitoringMode=poll",
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@127.0.0.1:1/",
        };
        environment[setting] = value;
        await using var process = ServiceProcess.Start("misconfigured", project, environment);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.True(process.HasExited, $"{project} started without {named}");
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains(named, process.Output, StringComparison.Ordinal);
    }
}
