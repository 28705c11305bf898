using System.Text.RegularExpressions;

namespace PeerServ.Deployment.Tests;

/// <summary>
/// `docker-compose up --exit-code-from e2e` of compose.yml + compose.mongo-wire.yml + compose.e2e.yml: the stack comes
/// up healthy (the suite's container starts only once the gateway is healthy, which waits for every service, which
/// wait for MongoDB and RabbitMQ), and the suite inside the compose network passes — plain, and scaled.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed partial class ComposeTests
{
    /// <summary>The relay contract twice (both protocols), the npm clients' cases, the replica checks.</summary>
    private const int MinimumCases = 150;

    [Fact]
    public async Task E2ESuite_InsideCompose_EveryCasePasses()
    {
        await using var compose = new ComposeProject("compose.mongo-wire.yml", "compose.e2e.yml");

        var (exit, output) = await compose.RunAsync("up", "--exit-code-from", "e2e");

        AssertSuitePassed(exit, output);
    }

    [Fact]
    public async Task E2ESuite_ScaledToTwoIngestTwoMailboxQueryAndTwoLive_EveryCasePassesAndEveryReplicaServes()
    {
        await using var compose = new ComposeProject("compose.mongo-wire.yml", "compose.e2e.yml");
        compose.Environment["PEERSERV_E2E_REPLICAS"] = "ingest=2,mailbox-query=2,live=2";

        var (exit, output) = await compose.RunAsync("up", "--exit-code-from", "e2e", "--scale", "ingest=2", "--scale", "mailbox-query=2", "--scale", "live=2");

        AssertSuitePassed(exit, output);
        var replicas = (await compose.CheckAsync("ps", "-q", "ingest")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, replicas.Length);
        // The suite's replica cases ran against two replicas of each (they fail unless both serve and wake each other).
        Assert.Contains("ReplicaTests.LongPoll_HeldByAnyQueryReplica_WokenBySendThroughAnyIngestReplica [FINISHED]", output, StringComparison.Ordinal);
        Assert.Contains("ReplicaTests.Ingest_EveryReplica_StoresSendsThroughTheGateway [FINISHED]", output, StringComparison.Ordinal);
        Assert.Contains("ReplicaTests.MailboxQuery_EveryReplica_AnswersListsThroughTheGateway [FINISHED]", output, StringComparison.Ordinal);
    }

    private static void AssertSuitePassed(int exit, string output)
    {
        // Every container's whole log, kept beside the test binaries for a failure to be read in full.
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"compose-{DateTime.UtcNow:HHmmss}.log"), output);
        var suite = string.Join('\n', output.Split('\n').Where(l => l.StartsWith("e2e_", StringComparison.Ordinal)));
        var summary = Summary().Match(suite);
        // The failed cases first, with what they said (the lines after each [FAIL] up to the next case), then the tail.
        var lines = suite.Split('\n');
        var failures = string.Join('\n', lines.Select((line, i) => (line, i)).Where(x => x.line.Contains("[FAIL]", StringComparison.Ordinal))
            .SelectMany(x => lines.Skip(x.i).Take(25)));
        // What the gateway warned of (an unresolved destination, an upstream error) explains a 503 a case saw.
        var gateway = string.Join('\n', output.Split('\n').Where(l => l.StartsWith("gateway_", StringComparison.Ordinal)
            && !l.Contains("DataProtection", StringComparison.Ordinal)
            && (l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("error", StringComparison.OrdinalIgnoreCase))));
        Assert.True(exit == 0 && summary.Success, $"compose exited {exit}; failed cases:\n{failures}\n--- the suite's last lines:\n{Docker.Tail(suite, 40)}\n--- the gateway's warnings:\n{Docker.Tail(gateway, 30)}\n--- compose:\n{Docker.Tail(output, 40)}");
        Assert.True(int.Parse(summary.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture) >= MinimumCases, summary.Value);
        Assert.Equal(("0", "0", "0", "0"), (summary.Groups["errors"].Value, summary.Groups["failed"].Value, summary.Groups["skipped"].Value, summary.Groups["notrun"].Value));
    }

    [GeneratedRegex(@"Total: (?<total>\d+), Errors: (?<errors>\d+), Failed: (?<failed>\d+), Skipped: (?<skipped>\d+), Not Run: (?<notrun>\d+)")]
    private static partial Regex Summary();
}
