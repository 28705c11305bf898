using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Deployment;

namespace PeerServ.Deployment.Tests;

/// <summary>
/// The Kubernetes Deployments of `kubectl kustomize k8s` as Docker containers on one network, since no API server can
/// run here. Each pod gets exactly its manifest's image, environment (ConfigMap, example Secret), ports, user and
/// group, read-only root file system, dropped capabilities, no privilege escalation and emptyDir volumes (as tmpfs),
/// and its Service's name as its DNS name. The example Secret's `replace-with-…` placeholders are replaced by fresh
/// values of the right form, as an operator does; every other value is used as written. The dev-grade MongoDB and
/// RabbitMQ StatefulSets get the locally built stand-in images under their Service names.
/// </summary>
public sealed partial class PodCluster : IAsyncLifetime
{
    private readonly List<IContainer> _containers = [];
    private INetwork _network = null!;

    internal Manifests Manifests { get; private set; } = null!;

    internal Dictionary<string, string> Secret { get; } = [];

    internal Dictionary<string, (IContainer Container, JsonElement Spec)> Pods { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Docker.RequireEngine();
        Manifests = await Manifests.RenderAsync();
        var secret = Manifests.Object("Secret", "peerserv-secrets").GetProperty("stringData");
        var replacements = new Dictionary<string, string>();
        foreach (var entry in secret.EnumerateObject())
        {
            Secret[entry.Name] = Placeholder().Replace(entry.Value.GetString()!, m => replacements.TryGetValue(m.Value, out var v) ? v
                : replacements[m.Value] = entry.Name == "server-private-key" ? PrivateKey.Generate().ToHex() : Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));
        }

        _network = new NetworkBuilder().WithName("peerserv-pods-" + Guid.NewGuid().ToString("N")[..8]).Build();
        await _network.CreateAsync();
        await Task.WhenAll(StartDevStoreAsync("peerserv-mongodb"), StartDevStoreAsync("peerserv-rabbitmq"));
        // A Kubernetes Service's DNS name exists before any of its pods; a container's alias only once it runs. So the
        // gateway, which resolves the services' names at start, starts last, as it would find them in a cluster.
        foreach (var name in Manifests.Names("Deployment").OrderBy(n => n == "peerserv-gateway").ThenBy(n => n, StringComparer.Ordinal))
        {
            Pods[name] = (await StartPodAsync(name), Manifests.PodTemplate("Deployment", name).GetProperty("spec").GetProperty("containers")[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var container in _containers)
        {
            await container.DisposeAsync();
        }

        await _network.DisposeAsync();
    }

    private async Task<IContainer> StartPodAsync(string deployment)
    {
        var pod = Manifests.PodTemplate("Deployment", deployment).GetProperty("spec");
        var container = pod.GetProperty("containers")[0];
        var security = container.GetProperty("securityContext");
        var builder = new ContainerBuilder(container.GetProperty("image").GetString()!)
            .WithNetwork(_network)
            .WithNetworkAliases(Manifests.ServiceFor("Deployment", deployment))
            .WithEnvironment(Manifests.Environment(container, Secret))
            .WithCreateParameterModifier(create =>
            {
                create.User = $"{pod.GetProperty("securityContext").GetProperty("runAsUser").GetInt64()}:{pod.GetProperty("securityContext").GetProperty("runAsGroup").GetInt64()}";
                create.HostConfig ??= new();
                create.HostConfig.ReadonlyRootfs = security.GetProperty("readOnlyRootFilesystem").GetBoolean();
                create.HostConfig.CapDrop = [.. security.GetProperty("capabilities").GetProperty("drop").EnumerateArray().Select(c => c.GetString()!)];
                if (!security.GetProperty("allowPrivilegeEscalation").GetBoolean())
                {
                    create.HostConfig.SecurityOpt = ["no-new-privileges"];
                }
            });
        foreach (var port in container.GetProperty("ports").EnumerateArray())
        {
            builder = builder.WithPortBinding(port.GetProperty("containerPort").GetInt32(), assignRandomHostPort: true);
        }

        var emptyDirs = pod.GetProperty("volumes").EnumerateArray().Where(v => v.TryGetProperty("emptyDir", out _)).Select(v => v.GetProperty("name").GetString()).ToHashSet();
        foreach (var mount in container.GetProperty("volumeMounts").EnumerateArray().Where(m => emptyDirs.Contains(m.GetProperty("name").GetString())))
        {
            builder = builder.WithTmpfsMount(mount.GetProperty("mountPath").GetString()!);
        }

        var started = builder.Build();
        _containers.Add(started);
        await started.StartAsync();
        return started;
    }

    /// <summary>A dev StatefulSet with its manifest's environment, under its Service's name, on a local stand-in image.</summary>
    private async Task StartDevStoreAsync(string statefulSet)
    {
        var container = Manifests.PodTemplate("StatefulSet", statefulSet).GetProperty("spec").GetProperty("containers")[0];
        var service = Manifests.ServiceFor("StatefulSet", statefulSet);
        var builder = statefulSet == "peerserv-mongodb"
            // The pod's stable DNS name <pod>-0.<governing service>, which the replica set advertises.
            ? new ContainerBuilder(Docker.MongoWireImage).WithNetworkAliases($"{statefulSet}-0.{service}", service)
                .WithCommand($"--host={statefulSet}-0.{service}", "--port=27017", "--replica-set-name=rs0", "--topology-profile=singleNodeReplicaSet")
            : new ContainerBuilder(Docker.RabbitMqImage).WithNetworkAliases(service).WithEnvironment(Manifests.Environment(container, Secret))
                .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("Server startup complete"));
        var started = builder.WithNetwork(_network).Build();
        _containers.Add(started);
        await started.StartAsync();
    }

    [GeneratedRegex("replace-with-[a-z0-9-]+")]
    private static partial Regex Placeholder();
}
