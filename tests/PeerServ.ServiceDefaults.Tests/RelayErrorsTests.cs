using System.Text.Json;
using System.Text.RegularExpressions;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.Tests;

namespace PeerServ.ServiceDefaults.Tests;

/// <summary>The error catalogue is the only source of error codes, and its entries are well formed.</summary>
public sealed partial class RelayErrorsTests
{
    [Fact]
    public void Catalogue_Codes_UniqueAndWithErrorStatuses()
    {
        Assert.Equal(RelayErrors.All.Count, RelayErrors.All.Select(e => e.Code).Distinct().Count());
        Assert.All(RelayErrors.All, e => Assert.InRange(e.Status, 400, 599));
        Assert.All(RelayErrors.All, e => Assert.Matches("^(ERR_[A-Z0-9_]+|UNAUTHORIZED)$", e.Code));
        Assert.All(RelayErrors.All, e => Assert.False(string.IsNullOrWhiteSpace(e.Description), e.Code));
    }

    [Fact]
    public void ProductCode_ErrorCodeLiterals_OnlyInTheCatalogue()
    {
        var offenders = new List<string>();
        foreach (var folder in new[] { "shared", "gateway", "services", "tools" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, folder), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || file.EndsWith("RelayErrors.cs", StringComparison.Ordinal))
                {
                    continue;
                }

                offenders.AddRange(CodeLiteral().Matches(File.ReadAllText(file)).Select(m => $"{Path.GetRelativePath(Repository.Root, file)}: {m.Value}"));
            }
        }

        Assert.True(offenders.Count == 0, "error codes written outside RelayErrors:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void Operations_EveryListedError_IsACatalogueEntry()
    {
        Assert.All(RelayApi.All.SelectMany(o => o.Errors).Concat(RelayApi.CommonErrors), e => Assert.Same(e, RelayErrors.Get(e.Code)));
    }

    [Fact]
    public void Error_Json_IsTheRelayShapeAndKeepsCharacters()
    {
        using var json = JsonDocument.Parse(RelayErrors.InvalidRecipientKey.With("Invalid recipient key: ünï \"x\"").ToJson());

        Assert.Equal(["status", "code", "description"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("ERR_INVALID_RECIPIENT_KEY", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("Invalid recipient key: ünï \"x\"", json.RootElement.GetProperty("description").GetString());
    }

    [Theory]
    [InlineData(404, "ERR_ROUTE_NOT_FOUND")]
    [InlineData(405, "ERR_METHOD_NOT_ALLOWED")]
    [InlineData(503, "ERR_SERVICE_UNAVAILABLE")]
    [InlineData(418, "ERR_HTTP_418")]
    public void ForStatus_BodilessAnswer_GetsItsCode(int status, string code) => Assert.Equal(code, RelayErrors.ForStatus(status).Code);

    [GeneratedRegex("\"(ERR_[A-Z0-9_]+|UNAUTHORIZED)\"")]
    private static partial Regex CodeLiteral();
}
