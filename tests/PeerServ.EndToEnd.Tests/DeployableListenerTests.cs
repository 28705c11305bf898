using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using PeerServ.Auth.Crypto;
using PeerServ.Tests;
using PeerServ.Tests.Deployment;

namespace PeerServ.EndToEnd.Tests;

/// <summary>
/// Each deployable started as a process with exactly the environment its image (Dockerfile), compose.yml and its
/// Kubernetes Deployment give it, and nothing else, must answer on every interface at the port they declare: the
/// probes, compose's health checks and the Services reach it there, never on loopback. The process runs in a private
/// network namespace (unshare) whose only interface also holds 10.200.0.1, an address a listener bound to 127.0.0.1 or
/// localhost does not answer on; it is reached there from inside the namespace (nsenter), so nothing binds outside it
/// and every case has ports 8080 and 9464 to itself.
/// Secrets the files leave to the operator get fresh values of the right form.
/// </summary>
public sealed partial class DeployableListenerTests
{
    private const string Address = "10.200.0.1";

    private static readonly Dictionary<string, string> Projects = new(StringComparer.Ordinal)
    {
        ["gateway"] = "gateway/PeerServ.Gateway",
        ["ingest"] = "services/PeerServ.Ingest",
        ["mailbox-query"] = "services/PeerServ.MailboxQuery",
        ["ack"] = "services/PeerServ.Ack",
        ["permissions"] = "services/PeerServ.Permissions",
        ["standalone"] = "services/PeerServ.Standalone",
    };

    private static readonly Lazy<Task<Dictionary<string, string>>> Secrets = new(() => Task.FromResult(new Dictionary<string, string>
    {
        ["SERVER_PRIVATE_KEY"] = PrivateKey.Generate().ToHex(),
        ["INTERNAL_SECRET"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
        ["RABBITMQ_USER"] = "peerserv",
        ["RABBITMQ_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
    }));

    /// <summary>The image's environment alone where it is enough (the standalone host); the services need the secrets compose or Kubernetes add.</summary>
    public static TheoryData<string, string> Cases() => new()
    {
        { "standalone", "image" },
        { "gateway", "compose" }, { "ingest", "compose" }, { "mailbox-query", "compose" }, { "ack", "compose" }, { "permissions", "compose" },
        { "gateway", "k8s" }, { "ingest", "k8s" }, { "mailbox-query", "k8s" }, { "ack", "k8s" }, { "permissions", "k8s" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Deployable_WithItsDeploymentEnvironment_AnswersOnEveryInterfaceAtTheDeclaredPorts(string deployable, string source)
    {
        var environment = ImageEnvironment(deployable);
        foreach (var (name, value) in source switch
        {
            "compose" => await ComposeEnvironmentAsync(deployable),
            "k8s" => await KubernetesEnvironmentAsync(deployable),
            _ => [],
        })
        {
            environment[name] = value;
        }

        var (port, metricsPort) = (int.Parse(environment["ASPNETCORE_HTTP_PORTS"], System.Globalization.CultureInfo.InvariantCulture), new Uri(environment["Management__Url"]).Port);
        await using var process = await NamespacedProcess.StartAsync(Repository.BuiltDll(Projects[deployable]), environment);

        var live = await process.UntilAnswersAsync($"http://{Address}:{port}/health/live", TimeSpan.FromSeconds(40));
        var metrics = live && await process.UntilAnswersAsync($"http://{Address}:{metricsPort}/metrics", TimeSpan.FromSeconds(5));

        Assert.True(live, $"{deployable} ({source}) never answered on {Address}:{port}\n{process.Output}");
        Assert.True(metrics, $"{deployable} ({source}) serves no /metrics on {Address}:{metricsPort}\n{process.Output}");
    }

    /// <summary>The ENV of the Dockerfile's runtime stage and of the deployable's target, as the image has them.</summary>
    private static Dictionary<string, string> ImageEnvironment(string target)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var dockerfile = File.ReadAllText(Path.Combine(Repository.Root, "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (var stage in new[] { "runtime", target })
        {
            var block = Regex.Match(dockerfile, $@"^FROM \S+ AS {Regex.Escape(stage)}\n(.*?)(?=^FROM |\z)", RegexOptions.Multiline | RegexOptions.Singleline).Groups[1].Value;
            foreach (Match env in EnvLine().Matches(block))
            {
                foreach (Match pair in EnvPair().Matches(env.Groups[1].Value))
                {
                    environment[pair.Groups[1].Value] = pair.Groups[2].Value;
                }
            }
        }

        Assert.True(environment.ContainsKey("ASPNETCORE_HTTP_PORTS"), "the image sets no ASPNETCORE_HTTP_PORTS");
        if (environment.ContainsKey("Standalone__DataDirectory"))
        {
            // The image's volume (/data) would be the host's root directory here: the one value not taken as written.
            environment["Standalone__DataDirectory"] = Directory.CreateTempSubdirectory("peerserv-listener-").FullName;
        }

        return environment;
    }

    /// <summary>The service's environment as `docker-compose config` renders compose.yml, with the .env an operator writes.</summary>
    private static async Task<Dictionary<string, string>> ComposeEnvironmentAsync(string service)
    {
        var dir = Directory.CreateTempSubdirectory("peerserv-compose-").FullName;
        try
        {
            File.Copy(Path.Combine(Repository.Root, "compose.yml"), Path.Combine(dir, "compose.yml"));
            await File.WriteAllLinesAsync(Path.Combine(dir, ".env"), (await Secrets.Value).Select(s => $"{s.Key}={s.Value}"));
            var yaml = await Manifests.RunAsync("docker-compose", null, "--project-directory", dir, "-f", Path.Combine(dir, "compose.yml"), "config");
            using var json = JsonDocument.Parse(await Manifests.RunAsync("node", yaml, Path.Combine(Repository.Interop, "yaml-to-json.mjs")));
            return json.RootElement.GetProperty("services").GetProperty(service).GetProperty("environment").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The container's environment as the kubelet builds it from the rendered manifests and a filled-in Secret.</summary>
    private static async Task<Dictionary<string, string>> KubernetesEnvironmentAsync(string service)
    {
        var manifests = await Manifests.RenderAsync();
        var secrets = await Secrets.Value;
        var secret = manifests.Object("Secret", "peerserv-secrets").GetProperty("stringData").EnumerateObject().ToDictionary(
            e => e.Name,
            e => e.Name switch
            {
                "server-private-key" => secrets["SERVER_PRIVATE_KEY"],
                _ when e.Value.GetString()!.StartsWith("replace-with-", StringComparison.Ordinal) => secrets["INTERNAL_SECRET"],
                _ => e.Value.GetString()!,
            },
            StringComparer.Ordinal);
        var container = manifests.PodTemplate("Deployment", "peerserv-" + service).GetProperty("spec").GetProperty("containers")[0];
        return manifests.Environment(container, secret);
    }

    [GeneratedRegex(@"^ENV (.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"([A-Za-z_][A-Za-z0-9_]*)=(\S+)")]
    private static partial Regex EnvPair();

    /// <summary>`dotnet &lt;dll&gt;` in a network namespace of its own, with only the given environment (and PATH/HOME to run dotnet).</summary>
    private sealed class NamespacedProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

        private NamespacedProcess(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => Keep(e.Data);
            process.ErrorDataReceived += (_, e) => Keep(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output => string.Join('\n', _output.TakeLast(40));

        public static Task<NamespacedProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment)
        {
            var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
            foreach (var arg in new[] { "--net", "--fork", "--", "/bin/sh", "-c",
                $"ip link set lo up && ip addr add {Address}/32 dev lo && exec dotnet \"$0\"", dll })
            {
                start.ArgumentList.Add(arg);
            }

            var path = Environment.GetEnvironmentVariable("PATH");
            start.Environment.Clear();
            start.Environment["PATH"] = path;
            start.Environment["HOME"] = Path.GetTempPath();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            return Task.FromResult(new NamespacedProcess(Process.Start(start) ?? throw new InvalidOperationException("unshare could not be started")));
        }

        /// <summary>Polls <paramref name="url"/> from inside the namespace with the image's own probe until it answers 2xx.</summary>
        public async Task<bool> UntilAnswersAsync(string url, TimeSpan timeout)
        {
            var probe = Repository.BuiltDll("tools/PeerServ.HealthProbe");
            var clock = Stopwatch.StartNew();
            do
            {
                if (_process.HasExited)
                {
                    return false;
                }

                var start = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in new[] { $"--net=/proc/{_process.Id}/ns/net", "--", "dotnet", probe, url })
                {
                    start.ArgumentList.Add(arg);
                }

                using var check = Process.Start(start)!;
                var error = await check.StandardError.ReadToEndAsync();
                await check.WaitForExitAsync();
                if (check.ExitCode == 0)
                {
                    return true;
                }

                Keep("probe: " + error.Trim());
                await Task.Delay(300);
            }
            while (clock.Elapsed < timeout);
            return false;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                // By pid: unshare forwards nothing, so the whole group goes (unshare, sh's exec'd dotnet).
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is not null)
            {
                _output.Enqueue(line);
            }
        }
    }
}
