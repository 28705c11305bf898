using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Deployment;
using PeerServ.Tests.Relay;

namespace PeerServ.Deployment.Tests;

/// <summary>Every Deployment of k8s/ as a pod (see <see cref="PodCluster"/>): it starts, and its probes and ports answer as declared.</summary>
[Collection(DockerCollection.Name)]
public sealed class PodContractTests(PodCluster cluster) : IClassFixture<PodCluster>
{
    public static TheoryData<string> Deployments() => new("peerserv-gateway", "peerserv-ingest", "peerserv-mailbox-query", "peerserv-ack", "peerserv-permissions", "peerserv-live");

    [Theory]
    [MemberData(nameof(Deployments))]
    public async Task Pod_AsItsManifestSays_ReadinessAndLivenessProbesAnswerOnTheirDeclaredPorts(string deployment)
    {
        var (pod, spec) = cluster.Pods[deployment];
        var readiness = spec.GetProperty("readinessProbe").GetProperty("httpGet");
        var liveness = spec.GetProperty("livenessProbe").GetProperty("httpGet");

        var ready = await UntilOkAsync(pod, Manifests.Port(spec, readiness.GetProperty("port")), readiness.GetProperty("path").GetString()!, TimeSpan.FromSeconds(90));
        var live = await UntilOkAsync(pod, Manifests.Port(spec, liveness.GetProperty("port")), liveness.GetProperty("path").GetString()!, TimeSpan.FromSeconds(5));

        Assert.True(ready, $"{deployment}: readiness probe never answered 200\n{await LogsAsync(pod)}");
        Assert.True(live, $"{deployment}: liveness probe did not answer 200\n{await LogsAsync(pod)}");
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public async Task Pod_EveryServicePortReachesAListener_AndMetricsAreServed(string deployment)
    {
        var (pod, spec) = cluster.Pods[deployment];
        var service = cluster.Manifests.Object("Service", cluster.Manifests.ServiceFor("Deployment", deployment));
        Assert.True(await UntilOkAsync(pod, 8080, "/health/live", TimeSpan.FromSeconds(90)), await LogsAsync(pod));

        foreach (var port in service.GetProperty("spec").GetProperty("ports").EnumerateArray())
        {
            var target = Manifests.Port(spec, port.GetProperty("targetPort"));
            var path = port.GetProperty("name").GetString() == "metrics" ? "/metrics" : "/health/live";
            Assert.True(await UntilOkAsync(pod, target, path, TimeSpan.FromSeconds(5)), $"{deployment}: Service port {port.GetProperty("name")} → {target}{path} does not answer");
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public async Task Pod_RunsAsItsUser_OnAReadOnlyRootWithWritableEmptyDir(string deployment)
    {
        var (pod, _) = cluster.Pods[deployment];

        var id = await pod.ExecAsync(["id", "-u"], TestContext.Current.CancellationToken);
        var root = await pod.ExecAsync(["touch", "/app/written"], TestContext.Current.CancellationToken);
        var tmp = await pod.ExecAsync(["touch", "/tmp/written"], TestContext.Current.CancellationToken);

        Assert.Equal("1654", id.Stdout.Trim());
        Assert.NotEqual(0, root.ExitCode);
        Assert.Equal(0, tmp.ExitCode);
    }

    [Fact]
    public async Task Gateway_ReachesEveryServiceByItsServiceName_SendListAckPermissions()
    {
        foreach (var (name, (pod, _)) in cluster.Pods)
        {
            Assert.True(await UntilOkAsync(pod, 8080, "/health/ready", TimeSpan.FromSeconds(90)), $"{name}\n{await LogsAsync(pod)}");
        }

        var gateway = new Uri($"http://127.0.0.1:{cluster.Pods["peerserv-gateway"].Container.GetMappedPublicPort(8080)}");
        using var alice = new RelayClient(PrivateKey.Generate(), gateway, new SocketsHttpHandler());
        using var bob = new RelayClient(PrivateKey.Generate(), gateway, new SocketsHttpHandler());

        // As clients do with the gateway's retryable 503: a destination found a moment after the gateway started is fine.
        var (sent, sendJson) = await RetryUnavailableAsync(() => alice.SendAsync(bob.Identity, "inbox", "through the pods", "pod-1"));
        var (listedStatus, listed) = await RetryUnavailableAsync(() => bob.PostAsync("/listMessages", new { messageBox = "inbox" }));
        var (acked, ackJson) = await RetryUnavailableAsync(() => bob.AckAsync("pod-1"));
        var (ruled, ruleJson) = await RetryUnavailableAsync(() => bob.PostAsync("/permissions/set", new { messageBox = "inbox", recipientFee = -1, sender = alice.Identity }));
        var (quoted, quote) = await RetryUnavailableAsync(() => alice.GetAsync($"/permissions/quote?recipient={bob.Identity}&messageBox=inbox"));

        var logs = await LogsAsync(cluster.Pods["peerserv-gateway"].Container);
        Assert.True(sent == HttpStatusCode.OK, $"{sendJson}\n{logs}");
        Assert.True(listedStatus == HttpStatusCode.OK, $"{listed}\n{logs}");
        Assert.Equal("through the pods", Assert.Single(listed.GetProperty("messages").EnumerateArray()).Str("body"));
        Assert.True(acked == HttpStatusCode.OK, $"{ackJson}\n{logs}");
        Assert.True(ruled == HttpStatusCode.OK, $"{ruleJson}\n{logs}");
        Assert.True(quoted == HttpStatusCode.OK, $"{quote}\n{logs}");
        Assert.Equal(-1, quote.GetProperty("quote").GetProperty("recipientFee").GetInt32());
    }

    /// <summary>The call, again after a second while it answers 503 ERR_SERVICE_UNAVAILABLE, for at most 20 s.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Json)> RetryUnavailableAsync(Func<Task<(HttpStatusCode Status, JsonElement Json)>> call)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await call();
            if (answer.Status != HttpStatusCode.ServiceUnavailable || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                return answer;
            }

            await Task.Delay(1000);
        }
    }

    private static async Task<bool> UntilOkAsync(DotNet.Testcontainers.Containers.IContainer pod, int containerPort, string path, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var url = new Uri($"http://127.0.0.1:{pod.GetMappedPublicPort(containerPort)}{path}");
        var deadline = Stopwatch.StartNew();
        do
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }
        while (deadline.Elapsed < timeout);
        return false;
    }

    private static async Task<string> LogsAsync(DotNet.Testcontainers.Containers.IContainer pod)
    {
        var (stdout, stderr) = await pod.GetLogsAsync();
        return Docker.Tail(stdout + stderr, 30);
    }
}
