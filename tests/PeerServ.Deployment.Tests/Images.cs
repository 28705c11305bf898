namespace PeerServ.Deployment.Tests;

/// <summary>
/// Every image of the repository, built once per run through its Dockerfiles exactly as users build them: the six
/// stack images and the end-to-end suite by `docker-compose build`, the standalone image by `docker build --target`.
/// They carry the names the Kubernetes manifests reference (ghcr.io/peerserv/…:latest).
/// </summary>
public sealed class Images : IAsyncLifetime
{
    public const string Gateway = "ghcr.io/peerserv/peerserv-gateway:latest";
    public const string Ingest = "ghcr.io/peerserv/peerserv-ingest:latest";
    public const string MailboxQuery = "ghcr.io/peerserv/peerserv-mailbox-query:latest";
    public const string Ack = "ghcr.io/peerserv/peerserv-ack:latest";
    public const string Permissions = "ghcr.io/peerserv/peerserv-permissions:latest";
    public const string Live = "ghcr.io/peerserv/peerserv-live:latest";
    public const string Standalone = "ghcr.io/peerserv/peerserv-standalone:latest";

    public async ValueTask InitializeAsync()
    {
        Docker.RequireEngine();
        await using (var compose = new ComposeProject("compose.mongo-wire.yml", "compose.e2e.yml"))
        {
            await compose.CheckAsync("build");
        }

        await Docker.CheckAsync("docker", [
            "build", "-q", "--target", "standalone", "-t", Standalone,
            "--build-arg", "SDK_IMAGE=" + Docker.BuildImages["PEERSERV_SDK_IMAGE"],
            "--build-arg", "RUNTIME_IMAGE=" + Docker.BuildImages["PEERSERV_RUNTIME_IMAGE"], "."]);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Everything that runs containers: one at a time on these two cores, after the images are built.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<Images>
{
    public const string Name = "docker";
}
