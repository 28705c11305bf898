namespace PeerServ.E2E;

/// <summary>What the suite runs against, from the environment compose.e2e.yml gives it.</summary>
internal static class Target
{
    /// <summary>The gateway, e.g. http://gateway:8080.</summary>
    public static Uri Gateway { get; } = new(Require("PEERSERV_E2E_GATEWAY", "the gateway's URL, e.g. http://gateway:8080"));

    /// <summary>How many replicas of each service must be serving, from PEERSERV_E2E_REPLICAS (ingest=2,mailbox-query=2).</summary>
    public static IReadOnlyDictionary<string, int> Replicas { get; } =
        (Environment.GetEnvironmentVariable("PEERSERV_E2E_REPLICAS") is { Length: > 0 } spec ? spec : "ingest=1,mailbox-query=1")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => int.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture));

    private static string Require(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: {what}. Run this suite through compose.e2e.yml.");
}
