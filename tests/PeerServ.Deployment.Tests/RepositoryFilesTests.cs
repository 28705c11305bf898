using PeerServ.Tests;

namespace PeerServ.Deployment.Tests;

public sealed class RepositoryFilesTests
{
    [Theory]
    [InlineData(".env")]
    [InlineData("services/.env")]
    public async Task Git_DotEnvWithRealSecrets_IsIgnored(string path)
    {
        var (exit, output) = await Docker.RunLocalAsync("git", ["check-ignore", "--no-index", path]);

        Assert.True(exit == 0, $"git does not ignore {path}: {output}");
    }

    [Fact]
    public async Task DockerIgnore_DotEnv_NeverSentToABuild()
    {
        var ignored = (await File.ReadAllLinesAsync(Path.Combine(Repository.Root, ".dockerignore"), TestContext.Current.CancellationToken)).Select(l => l.Trim());

        Assert.Contains(".env", ignored);
    }
}
