using System.Diagnostics;
using System.Text.Json;
using PeerServ.Tests;

namespace PeerServ.EndToEnd.Tests;

/// <summary>k8s/ rendered with kubectl kustomize and validated offline against the Kubernetes schemas; compose.yml validated by docker-compose.</summary>
public sealed class DeploymentManifestTests
{
    private static readonly Lazy<(JsonElement[] Documents, JsonElement[] Errors)> Rendered = new(() =>
    {
        var yaml = Run("kubectl", null, "kustomize", Path.Combine(Repository.Root, "k8s"));
        using var json = JsonDocument.Parse(Run("node", yaml, Path.Combine(Repository.Root, "tests", "interop", "validate-k8s.mjs")));
        return ([.. json.RootElement.GetProperty("documents").EnumerateArray().Select(e => e.Clone())], [.. json.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.Clone())]);
    });

    private static readonly string[] Deployments = ["peerserv-gateway", "peerserv-ingest", "peerserv-mailbox-query", "peerserv-ack", "peerserv-permissions", "peerserv-live"];

    [Fact]
    public void Kustomize_EveryObject_ValidAgainstKubernetesSchemas()
    {
        var (documents, errors) = Rendered.Value;

        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.ToString())));
        Assert.True(documents.Length >= 20, $"only {documents.Length} objects rendered");
        Assert.All(documents.Where(d => d.GetProperty("kind").GetString() != "Namespace"),
            d => Assert.Equal("peerserv", d.GetProperty("metadata").GetProperty("namespace").GetString()));
    }

    [Fact]
    public void Validator_BrokenObject_IsReported()
    {
        const string broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n";

        using var json = JsonDocument.Parse(Run("node", broken, Path.Combine(Repository.Root, "tests", "interop", "validate-k8s.mjs")));

        Assert.NotEmpty(json.RootElement.GetProperty("errors").EnumerateArray());
    }

    [Theory]
    [InlineData("peerserv-gateway")]
    [InlineData("peerserv-ingest")]
    [InlineData("peerserv-mailbox-query")]
    [InlineData("peerserv-ack")]
    [InlineData("peerserv-permissions")]
    [InlineData("peerserv-live")]
    public void Deployment_HasProbesLimitsSecurityAndGracefulTermination(string name)
    {
        var pod = Object("Deployment", name).GetProperty("spec").GetProperty("template").GetProperty("spec");
        var container = pod.GetProperty("containers")[0];

        Assert.Equal("/health/ready", container.GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Equal("/health/live", container.GetProperty("livenessProbe").GetProperty("httpGet").GetProperty("path").GetString());
        foreach (var kind in new[] { "requests", "limits" })
        {
            var resources = container.GetProperty("resources").GetProperty(kind);
            Assert.True(resources.TryGetProperty("cpu", out _) && resources.TryGetProperty("memory", out _), $"{name} {kind}");
        }

        Assert.True(pod.GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        var security = container.GetProperty("securityContext");
        Assert.True(security.GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.False(security.GetProperty("allowPrivilegeEscalation").GetBoolean());
        Assert.True(pod.GetProperty("terminationGracePeriodSeconds").GetInt32() >= 30);
        Assert.True(container.GetProperty("lifecycle").TryGetProperty("preStop", out _));
        Assert.Equal("ClusterIP", Object("Service", name).GetProperty("spec").GetProperty("type").GetString());
    }

    [Fact]
    public void EachDeployment_ScalesOnItsOwn_WithItsHpaAndPdb()
    {
        foreach (var name in Deployments)
        {
            var labels = PodLabels(name);
            var hpa = Object("HorizontalPodAutoscaler", name).GetProperty("spec");
            Assert.Equal(("Deployment", name), (hpa.GetProperty("scaleTargetRef").GetProperty("kind").GetString(), hpa.GetProperty("scaleTargetRef").GetProperty("name").GetString()));
            Assert.True(hpa.GetProperty("maxReplicas").GetInt32() > hpa.GetProperty("minReplicas").GetInt32());
            var pdbSelector = Object("PodDisruptionBudget", name).GetProperty("spec").GetProperty("selector").GetProperty("matchLabels");
            Assert.True(Matches(pdbSelector, labels), $"the PodDisruptionBudget of {name} does not select its pods");
        }
    }

    [Fact]
    public void NetworkPolicy_OnlyTheGatewayReachesTheServices_AndOnlyTheGatewayHasAnIngress()
    {
        var policy = Object("NetworkPolicy", "peerserv-relay-services-from-gateway").GetProperty("spec");
        var protectedPods = policy.GetProperty("podSelector").GetProperty("matchLabels");
        var httpFrom = policy.GetProperty("ingress").EnumerateArray().Single(r => r.GetProperty("ports")[0].GetProperty("port").GetInt32() == 8080).GetProperty("from");

        foreach (var service in Deployments.Skip(1))
        {
            Assert.True(Matches(protectedPods, PodLabels(service)), $"{service} is not protected by the NetworkPolicy");
        }

        Assert.False(Matches(protectedPods, PodLabels("peerserv-gateway")));
        Assert.True(Matches(Assert.Single(httpFrom.EnumerateArray()).GetProperty("podSelector").GetProperty("matchLabels"), PodLabels("peerserv-gateway")));
        var fromLive = Object("NetworkPolicy", "peerserv-ingest-from-live").GetProperty("spec");
        Assert.True(Matches(fromLive.GetProperty("podSelector").GetProperty("matchLabels"), PodLabels("peerserv-ingest")));
        Assert.True(Matches(Assert.Single(fromLive.GetProperty("ingress")[0].GetProperty("from").EnumerateArray()).GetProperty("podSelector").GetProperty("matchLabels"), PodLabels("peerserv-live")));
        Assert.False(Matches(fromLive.GetProperty("podSelector").GetProperty("matchLabels"), PodLabels("peerserv-mailbox-query")));
        var ingress = Assert.Single(Rendered.Value.Documents, d => d.GetProperty("kind").GetString() == "Ingress");
        Assert.Equal("peerserv-gateway", ingress.GetProperty("spec").GetProperty("rules")[0].GetProperty("http").GetProperty("paths")[0].GetProperty("backend").GetProperty("service").GetProperty("name").GetString());
    }

    [Fact]
    public void DevDatastores_AreLabelledDevGrade()
    {
        var statefulSets = Rendered.Value.Documents.Where(d => d.GetProperty("kind").GetString() == "StatefulSet").ToList();

        Assert.Equal(2, statefulSets.Count);
        Assert.All(statefulSets, s => Assert.StartsWith("dev-", s.GetProperty("metadata").GetProperty("labels").GetProperty("app.kubernetes.io/component").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_ValidOffline_OnlyTheGatewayPublishesAPort_DependenciesWaitForHealth()
    {
        var dir = Directory.CreateTempSubdirectory("peerserv-compose-").FullName;
        File.Copy(Path.Combine(Repository.Root, "compose.yml"), Path.Combine(dir, "compose.yml"));
        File.Copy(Path.Combine(Repository.Root, ".env.example"), Path.Combine(dir, ".env"));
        try
        {
            var config = Run("docker-compose", null, "--project-directory", dir, "-f", Path.Combine(dir, "compose.yml"), "config");
            var lines = config.Split('\n');

            // Published on loopback unless PEERSERV_PUBLISH says otherwise.
            Assert.Contains("- 127.0.0.1:8080:8080/tcp", config, StringComparison.Ordinal);
            Assert.Single(lines, line => line.Trim() == "ports:");
            // ingest, mailbox-query, ack, permissions and live wait for mongo and rabbitmq (2 each), the gateway for the five services.
            Assert.Equal(15, lines.Count(line => line.Trim() == "condition: service_healthy"));
            Assert.Contains("--replSet", config, StringComparison.Ordinal);
            Assert.Contains("rabbitmq:3.13-management", config, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static JsonElement Object(string kind, string name) =>
        Rendered.Value.Documents.Single(d => d.GetProperty("kind").GetString() == kind && d.GetProperty("metadata").GetProperty("name").GetString() == name);

    private static JsonElement PodLabels(string deployment) =>
        Object("Deployment", deployment).GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels");

    private static bool Matches(JsonElement selector, JsonElement labels) =>
        selector.EnumerateObject().All(p => labels.TryGetProperty(p.Name, out var value) && value.GetString() == p.Value.GetString());

    private static string Run(string file, string? input, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = Path.Combine(Repository.Root, "tests", "interop") };
        // compose.yml as a user without the test command's image overrides sees it.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PEERSERV_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started");
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {error.Result}");
    }
}
