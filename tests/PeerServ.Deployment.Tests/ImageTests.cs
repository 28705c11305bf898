using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.Deployment.Tests;

/// <summary>The images as built, each run on its own: the defects found when they first ran in containers.</summary>
[Collection(DockerCollection.Name)]
public sealed class ImageTests
{
    private static readonly string Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The settings each deployable refuses to start without (the stores need not be reachable to be live).</summary>
    public static TheoryData<string> AllImages() => new(Images.Gateway, Images.Ingest, Images.MailboxQuery, Images.Ack, Images.Permissions, Images.Standalone);

    [Theory]
    [MemberData(nameof(AllImages))]
    public async Task Image_WithOnlyItsRequiredSettings_AnswersOnPublishedPort8080AndTurnsHealthy(string image)
    {
        await using var container = Build(image, RequiredSettings(image)).WithWaitStrategy(Wait.ForUnixContainer().UntilContainerIsHealthy()).Build();

        await container.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        using var live = await http.GetAsync(new Uri($"http://127.0.0.1:{container.GetMappedPublicPort(8080)}/health/live"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(TestcontainersHealthStatus.Healthy, container.Health);
    }

    [Fact]
    public async Task Standalone_FromTheHost_SendListAckThroughThePublishedPort()
    {
        await using var container = Build(Images.Standalone, new Dictionary<string, string>()).WithWaitStrategy(Wait.ForUnixContainer().UntilContainerIsHealthy()).Build();
        await container.StartAsync(TestContext.Current.CancellationToken);
        var relay = new Uri($"http://127.0.0.1:{container.GetMappedPublicPort(8080)}");
        using var alice = new RelayClient(PrivateKey.Generate(), relay, new SocketsHttpHandler());
        using var bob = new RelayClient(PrivateKey.Generate(), relay, new SocketsHttpHandler());

        var (sent, _) = await alice.SendAsync(bob.Identity, "inbox", "from outside the container", "m1");
        var listed = await bob.ListAsync("inbox");
        var (acked, _) = await bob.AckAsync("m1");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (sent, acked));
        Assert.Equal("from outside the container", Assert.Single(listed).Str("body"));
    }

    [Fact]
    public async Task Gateway_VariableNameWithHyphen_ReachesTheProcess()
    {
        const string Name = "ReverseProxy__Clusters__mailbox-query__Destinations__d1__Address";
        var settings = RequiredSettings(Images.Gateway);
        settings[Name] = "http://mailbox-query.example:8080/";
        await using var container = Build(Images.Gateway, settings).WithWaitStrategy(Wait.ForUnixContainer().UntilContainerIsHealthy()).Build();
        await container.StartAsync(TestContext.Current.CancellationToken);

        var environ = await container.ExecAsync(["cat", "/proc/1/environ"], TestContext.Current.CancellationToken);

        Assert.Contains(Name + "=http://mailbox-query.example:8080/", environ.Stdout.Split('\0'));
        Assert.Contains("dotnet", (await container.ExecAsync(["cat", "/proc/1/cmdline"], TestContext.Current.CancellationToken)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RabbitMq_ComposeHealthCheck_GreenOnlyOnceAmqpAcceptsConnections()
    {
        var port = Docker.FreePort();
        var publish = Path.Combine(Directory.CreateTempSubdirectory("peerserv-rabbit-").FullName, "publish.yml");
        await File.WriteAllTextAsync(publish, $"services:\n  rabbitmq:\n    ports: [\"127.0.0.1:{port}:5672\"]\n", TestContext.Current.CancellationToken);
        await using var compose = new ComposeProject(publish);
        await compose.CheckAsync("up", "-d", "rabbitmq");
        var id = (await compose.CheckAsync("ps", "-q", "rabbitmq")).Trim();

        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await Docker.CheckAsync("docker", ["inspect", "-f", "{{.State.Health.Status}}", id])).Trim() != "healthy")
        {
            Assert.True(DateTime.UtcNow < deadline, "RabbitMQ did not turn healthy within 2 minutes");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        // At the first green, the broker must already speak AMQP (a closed port behind the published one would only
        // be accepted by docker-proxy and closed at once): protocol header in, Connection.Start method frame out.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), TestContext.Current.CancellationToken);
        var frame = new byte[7];
        var read = await stream.ReadAtLeastAsync(frame, 7, throwOnEndOfStream: false, TestContext.Current.CancellationToken);
        Assert.True(read == 7 && frame[0] == 1, $"right after turning healthy RabbitMQ answered {read} byte(s) to the AMQP header");
    }

    private static ContainerBuilder Build(string image, IReadOnlyDictionary<string, string> settings) =>
        new ContainerBuilder(image).WithPortBinding(8080, assignRandomHostPort: true).WithEnvironment(settings).WithCleanUp(true);

    private static Dictionary<string, string> RequiredSettings(string image) => image switch
    {
        Images.Gateway => new() { ["Auth__ServerPrivateKey"] = PrivateKey.Generate().ToHex(), ["Gateway__InternalSecret"] = Secret },
        Images.Standalone => [],
        _ => new()
        {
            ["Gateway__InternalSecret"] = Secret,
            ["Storage__MongoConnectionString"] = "mongodb://mongo.invalid:27017/?replicaSet=rs0",
            ["ConnectionStrings__RabbitMq"] = "amqp://guest:guest@rabbitmq.invalid:5672/",
        },
    };
}
