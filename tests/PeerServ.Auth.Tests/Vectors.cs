using System.Text.Json;

namespace PeerServ.Auth.Tests;

/// <summary>The team's vectors.json (copied from ../shared into tests/vectors), loaded once.</summary>
internal static class Vectors
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors.json"))).RootElement);

    public static IEnumerable<JsonElement> Section(string name) => Root.Value.GetProperty(name).EnumerateArray();

    public static JsonElement Named(string section, string name) =>
        Section(section).Single(e => e.TryGetProperty("name", out var n) && n.GetString() == name);

    public static TheoryData<int> Indexes(string section) => new(Enumerable.Range(0, Section(section).Count()));

    public static JsonElement At(string section, int index) => Section(section).ElementAt(index);

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
