using System.Net;
using System.Net.Sockets;
using System.Text;
using PeerServ.Auth.Crypto;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>Kestrel's limits against slow and oversized clients, and secrets kept out of logs, on the standalone process.</summary>
public sealed class HostileClientTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-hostile-").FullName;
    private readonly PrivateKey _serverKey = PrivateKey.Generate();
    private ServiceProcess _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string>
        {
            ["Standalone__DataDirectory"] = _data,
            ["Auth__ServerPrivateKey"] = _serverKey.ToHex(),
            ["Kestrel__Limits__RequestHeadersTimeout"] = "00:00:02",
        });
        await _host.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task SlowClient_NeverFinishingItsHeaders_Gets408AndIsDisconnected()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _host.Url.Port, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();
        await stream.WriteAsync("POST /sendMessage HTTP/1.1\r\nHost: relay\r\nx-slow: "u8.ToArray(), TestContext.Current.CancellationToken);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[256];

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var read = await stream.ReadAsync(buffer, timeout.Token);

        Assert.StartsWith("HTTP/1.1 408", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the slow client was held {clock.Elapsed}");
    }

    [Fact]
    public async Task OversizedHeadersAndRequestLine_RefusedBeforeAnyWork()
    {
        using var http = new HttpClient();
        using var bigHeaders = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.Url, "/sendMessage"));
        bigHeaders.Headers.TryAddWithoutValidation("x-bsv-auth-nonce", new string('A', 40_000));
        using var longLine = new HttpRequestMessage(HttpMethod.Get, new Uri(_host.Url, "/" + new string('p', 9000)));

        using var headersResponse = await http.SendAsync(bigHeaders, TestContext.Current.CancellationToken);
        using var lineResponse = await http.SendAsync(longLine, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, headersResponse.StatusCode);
        Assert.Equal(HttpStatusCode.RequestUriTooLong, lineResponse.StatusCode);
    }

    [Fact]
    public async Task UnauthenticatedJunk_WithLongHeaderValues_NotLoggedNotEchoed_ButCounted()
    {
        var junk = new string('J', 4000);
        using var raw = new HttpClient();
        var before = _host.Output.Length;
        string? description = null;
        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_host.Url, "/listMessages")) { Content = new StringContent("{}") };
            request.Headers.TryAddWithoutValidation("x-bsv-auth-version", junk);
            using var response = await raw.SendAsync(request, TestContext.Current.CancellationToken);
            description = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Str("description");
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        var logged = _host.Output[before..];

        Assert.DoesNotContain(new string('J', 25), description, StringComparison.Ordinal);
        Assert.Contains("4000 characters", description, StringComparison.Ordinal);
        Assert.DoesNotContain("JJJJ", logged, StringComparison.Ordinal);
        Assert.DoesNotContain("Auth rejected", logged, StringComparison.Ordinal);
        Assert.True(await _host.MetricAsync("peerserv_auth_rejections_total", "ERR_UNSUPPORTED_AUTH_VERSION") >= 50);
    }

    [Fact]
    public async Task Logs_AfterTrafficAndFailures_NeverContainTheServerKey()
    {
        using var alice = new RelayClient(PrivateKey.Generate(), _host.Url, new SocketsHttpHandler());
        await alice.SendAsync(alice.Identity, "logs", "hello", "l1");
        await alice.PostAsync("/sendMessage", "{not json");
        await alice.PostAsync("/listMessages", new { messageBox = " bad" });
        using var raw = new HttpClient();
        using var unauthenticated = await raw.PostAsync(new Uri(_host.Url, "/listMessages"), new StringContent("{}"), TestContext.Current.CancellationToken);
        using var badHandshake = await raw.PostAsync(new Uri(_host.Url, "/.well-known/auth"), new StringContent("{\"version\":\"0.1\"}"), TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);

        var output = _host.Output;
        Assert.Contains("server identity key " + _serverKey.PublicKey.Hex, output, StringComparison.Ordinal);
        Assert.DoesNotContain(_serverKey.ToHex(), output, StringComparison.OrdinalIgnoreCase);
    }
}
