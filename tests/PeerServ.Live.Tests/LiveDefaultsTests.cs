using System.Globalization;

namespace PeerServ.Live.Tests;

/// <summary>The defaults of a host holding live sockets fit together: Kestrel lets in every session the live layer allows, and then some.</summary>
public sealed class LiveDefaultsTests
{
    [Fact]
    public void KestrelsConnectionLimit_LeavesRoomAboveTheLiveSessionLimit()
    {
        var kestrel = int.Parse(LiveExtensions.ConfigurationDefaults["Kestrel:Limits:MaxConcurrentConnections"]!, CultureInfo.InvariantCulture);

        // Polling requests, the HTTP API and health probes must still get in when every session is taken.
        Assert.True(kestrel >= new LiveOptions().MaxConnections + 1000, $"Kestrel allows {kestrel} connections for {new LiveOptions().MaxConnections} live sessions");
    }
}
