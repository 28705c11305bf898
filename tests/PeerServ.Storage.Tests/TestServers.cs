namespace PeerServ.Storage.Tests;

/// <summary>Connection strings of the real servers eng/test.sh starts; a missing one fails the test loudly.</summary>
internal static class TestServers
{
    public static string Mongo => Require("PEERSERV_TEST_MONGO", "the MongoDB-wire test server");

    private static string Require(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: {what} is needed. Run eng/test.sh, which starts it on loopback and sets {variable}.");
}
