namespace PeerServ.Tests;

/// <summary>This checkout, as the tests find it from their build output: its root, its built deployables, tests/interop.</summary>
public static class Repository
{
    private static readonly Lazy<string> FoundRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PeerServ.Services.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    });

    public static string Root => FoundRoot.Value;

    /// <summary>tests/interop (the real npm clients), or PEERSERV_INTEROP_DIR (the end-to-end image keeps it elsewhere).</summary>
    public static string Interop => Environment.GetEnvironmentVariable("PEERSERV_INTEROP_DIR") is { Length: > 0 } configured ? configured : Path.Combine(Root, "tests", "interop");

    /// <summary>The dll of a deployable, built in the same configuration as these tests.</summary>
    public static string BuiltDll(string project, string? assemblyName = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var name = assemblyName ?? Path.GetFileName(project);
        var dll = Path.Combine(Root, project, "bin", configuration, "net10.0", name + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built; build the solution first.");
    }

    /// <summary>An environment variable the test command sets; missing, the test fails saying what it is for.</summary>
    public static string RequireVariable(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: {what} is needed. Run eng/test.sh, which sets {variable}.");
}
