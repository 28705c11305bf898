using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using PeerServ.Auth.Crypto;
using PeerServ.Standalone;

namespace PeerServ.Client.Tests;

/// <summary>The standalone host in process, on its own data directory, reached through the test server's handler.</summary>
public class RelayHost : WebApplicationFactory<StandaloneHost>
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-client-").FullName;

    public PeerServClient NewClient(PrivateKey? key = null, PeerServClientOptions? options = null) =>
        PeerServClient.Create(Server.BaseAddress, key ?? PrivateKey.Generate(), options, Server.CreateHandler());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Standalone:DataDirectory", _data);
        builder.UseSetting("RateLimits:HandshakesPerMinute", "100000");
        builder.UseSetting("RateLimits:UnverifiedPerMinute", "1000000");
        builder.UseSetting("RateLimits:HandshakesPerSecondTotal", "0");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>More settings of the host.</summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings => [];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
