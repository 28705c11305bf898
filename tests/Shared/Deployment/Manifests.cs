using System.Diagnostics;
using System.Text.Json;

namespace PeerServ.Tests.Deployment;

/// <summary>`kubectl kustomize k8s` as JSON (through tests/interop/validate-k8s.mjs), and the pieces a pod is made of.</summary>
internal sealed class Manifests
{
    private Manifests(JsonElement[] documents) => Documents = documents;

    public JsonElement[] Documents { get; }

    public static async Task<Manifests> RenderAsync()
    {
        var yaml = await RunAsync("kubectl", null, "kustomize", Path.Combine(Repository.Root, "k8s"));
        using var parsed = JsonDocument.Parse(await RunAsync("node", yaml, Path.Combine(Repository.Interop, "validate-k8s.mjs")));
        return new([.. parsed.RootElement.GetProperty("documents").EnumerateArray().Select(d => d.Clone())]);
    }

    /// <summary>A local tool's standard output; a failure throws with its standard error.</summary>
    public static async Task<string> RunAsync(string file, string? input, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = Repository.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
    }

    public JsonElement Object(string kind, string name) =>
        Documents.Single(d => d.GetProperty("kind").GetString() == kind && d.GetProperty("metadata").GetProperty("name").GetString() == name);

    public IEnumerable<string> Names(string kind) =>
        Documents.Where(d => d.GetProperty("kind").GetString() == kind).Select(d => d.GetProperty("metadata").GetProperty("name").GetString()!);

    /// <summary>The Service whose selector picks the pods of this workload: its name is the pod's DNS name.</summary>
    public string ServiceFor(string kind, string workload)
    {
        var labels = PodTemplate(kind, workload).GetProperty("metadata").GetProperty("labels");
        return Documents.Where(d => d.GetProperty("kind").GetString() == "Service")
            .Single(s => s.GetProperty("spec").GetProperty("selector").EnumerateObject().All(p => labels.TryGetProperty(p.Name, out var v) && v.GetString() == p.Value.GetString()))
            .GetProperty("metadata").GetProperty("name").GetString()!;
    }

    public JsonElement PodTemplate(string kind, string workload) => Object(kind, workload).GetProperty("spec").GetProperty("template");

    /// <summary>A container's environment as the kubelet builds it: envFrom ConfigMaps, then env (values and secretKeyRefs; an optional key the Secret lacks sets nothing).</summary>
    public Dictionary<string, string> Environment(JsonElement container, IReadOnlyDictionary<string, string> secret)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (container.TryGetProperty("envFrom", out var envFrom))
        {
            foreach (var source in envFrom.EnumerateArray())
            {
                var map = Object("ConfigMap", source.GetProperty("configMapRef").GetProperty("name").GetString()!).GetProperty("data");
                foreach (var entry in map.EnumerateObject())
                {
                    environment[entry.Name] = entry.Value.GetString()!;
                }
            }
        }

        if (container.TryGetProperty("env", out var env))
        {
            foreach (var variable in env.EnumerateArray())
            {
                var name = variable.GetProperty("name").GetString()!;
                if (variable.TryGetProperty("value", out var value))
                {
                    environment[name] = value.GetString()!;
                    continue;
                }

                var reference = variable.GetProperty("valueFrom").GetProperty("secretKeyRef");
                var key = reference.GetProperty("key").GetString()!;
                if (secret.TryGetValue(key, out var secretValue))
                {
                    environment[name] = secretValue;
                }
                else if (!(reference.TryGetProperty("optional", out var optional) && optional.GetBoolean()))
                {
                    throw new KeyNotFoundException($"{name}: the Secret has no key {key} and the reference is not optional");
                }
            }
        }

        return environment;
    }

    /// <summary>A probe's or Service's port: a number, or the name of one of the container's ports.</summary>
    public static int Port(JsonElement container, JsonElement port) =>
        port.ValueKind == JsonValueKind.Number
            ? port.GetInt32()
            : container.GetProperty("ports").EnumerateArray().Single(p => p.GetProperty("name").GetString() == port.GetString()).GetProperty("containerPort").GetInt32();
}
