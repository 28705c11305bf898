using System.Security.Cryptography;
using PeerServ.Auth.Crypto;

namespace PeerServ.Deployment.Tests;

/// <summary>
/// The repository's compose.yml plus overrides, as its own compose project (own name, own published port, fresh
/// secrets in the environment instead of a .env file), taken down with its volumes when disposed.
/// </summary>
internal sealed class ComposeProject : IAsyncDisposable
{
    private readonly string[] _files;

    public ComposeProject(params string[] overrides)
    {
        _files = ["compose.yml", .. overrides];
        Environment = new Dictionary<string, string>(Docker.BuildImages)
        {
            ["SERVER_PRIVATE_KEY"] = ServerKey.ToHex(),
            ["INTERNAL_SECRET"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["RABBITMQ_USER"] = "peerserv",
            ["RABBITMQ_PASSWORD"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)),
            ["PEERSERV_RABBITMQ_IMAGE"] = Docker.RabbitMqImage,
            ["PEERSERV_MONGO_WIRE_IMAGE"] = Docker.MongoWireImage,
            ["PEERSERV_PUBLISH"] = $"127.0.0.1:{Port}",
        };
    }

    public string Name { get; } = "peerserv-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The gateway's port, published on 127.0.0.1.</summary>
    public int Port { get; } = Docker.FreePort();

    public PrivateKey ServerKey { get; } = PrivateKey.Generate();

    public Dictionary<string, string> Environment { get; }

    public Task<(int ExitCode, string Output)> RunAsync(params string[] args) =>
        Docker.RunAsync("docker-compose", Arguments(args), Environment);

    public Task<string> CheckAsync(params string[] args) => Docker.CheckAsync("docker-compose", Arguments(args), Environment);

    public async ValueTask DisposeAsync() => await RunAsync("down", "-v", "--remove-orphans", "--timeout", "5");

    private string[] Arguments(string[] args) => ["--ansi", "never", "-p", Name, .. _files.SelectMany(f => new[] { "-f", f }), .. args];
}
