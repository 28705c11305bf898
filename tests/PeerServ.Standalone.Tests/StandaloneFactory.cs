using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PeerServ.Standalone.Tests;

/// <summary>The standalone host in process (TestServer), on its own temporary data directory.</summary>
public class StandaloneFactory : WebApplicationFactory<StandaloneHost>
{
    private readonly bool _ownsDirectory;

    public StandaloneFactory()
        : this(Directory.CreateTempSubdirectory("peerserv-standalone-").FullName, ownsDirectory: true)
    {
    }

    /// <summary>On an existing data directory (a restart of another host's data), left in place at disposal.</summary>
    protected StandaloneFactory(string dataDirectory, bool ownsDirectory = false)
    {
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
    }

    public string DataDirectory { get; }

    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Standalone:DataDirectory", DataDirectory);
        // Every test identity handshakes from the same (test) address.
        builder.UseSetting("RateLimits:HandshakesPerMinute", "100000");
        builder.UseSetting("RateLimits:UnverifiedPerMinute", "1000000");
        builder.UseSetting("RateLimits:HandshakesPerSecondTotal", "0");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_ownsDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Small limits, to test them without megabytes of traffic.</summary>
public sealed class SmallLimitsFactory : StandaloneFactory
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Relay:MaxMessageBytes", "1024"),
        new("Relay:Retention", "00:00:01"),
    ];
}
