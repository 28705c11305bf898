using Microsoft.Extensions.Configuration;

namespace PeerServ.ServiceDefaults.Tests;

public sealed class PublicUrlsTests
{
    [Theory]
    [InlineData(null, null, null, "http://localhost:5000")]
    [InlineData(null, "8080", null, "http://*:8080")]
    [InlineData(null, "8080;8081", "8443", "http://*:8080 http://*:8081 https://*:8443")]
    [InlineData("http://127.0.0.1:7000", "8080", null, "http://127.0.0.1:7000")]
    [InlineData("http://127.0.0.1:7000;http://[::1]:7000", null, null, "http://127.0.0.1:7000 http://[::1]:7000")]
    public void PublicUrls_UrlsThenPortsThenKestrelDefault(string? urls, string? httpPorts, string? httpsPorts, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = urls,
            ["http_ports"] = httpPorts,
            ["https_ports"] = httpsPorts,
        }).Build();

        Assert.Equal(expected, string.Join(' ', ServiceDefaultsExtensions.PublicUrls(configuration)));
    }
}
