using Microsoft.Extensions.Configuration;
using PeerServ.ServiceDefaults.Hosting;

namespace PeerServ.ServiceDefaults.Tests;

public sealed class HostingOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9000", "8080", null, "http://127.0.0.1:9000")]
    [InlineData("http://127.0.0.1:9000;http://127.0.0.1:9001", null, null, "http://127.0.0.1:9000 http://127.0.0.1:9001")]
    [InlineData(null, "8080", null, "http://*:8080")]
    [InlineData(null, "8080;8081", "8443", "http://*:8080 http://*:8081 https://*:8443")]
    [InlineData(null, null, null, "http://localhost:5000")]
    public void PublicUrls_UrlsThenPortsThenHostDefault(string? urls, string? httpPorts, string? httpsPorts, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = urls,
            ["http_ports"] = httpPorts,
            ["https_ports"] = httpsPorts,
        }).Build();
        var options = new HostingOptions();
        configuration.Bind(options);

        Assert.Equal(expected, string.Join(' ', options.PublicUrls()));
    }

    [Fact]
    public void Management_Empty_ServesMetricsOnThePublicListener()
    {
        Assert.Null(new HostingOptions { ManagementUrl = "" }.Management());
        Assert.Equal(9464, new HostingOptions().Management()!.Port);
    }
}
