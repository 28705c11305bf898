using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeerServ.Live.EngineIO;

using static PeerServ.Live.Tests.WebSocketText;

namespace PeerServ.Live.Tests;

/// <summary>
/// A real Kestrel host with the Engine.IO server: connections that open with a WebSocket upgrade are served off the
/// HTTP pipeline (a middleware counting the requests it sees never sees them); everything else, refused upgrades
/// included, reaches the endpoint with nothing consumed.
/// </summary>
public sealed class EngineConnectionsTests : IAsyncLifetime
{
    private readonly Echo _echo = new();
    private WebApplication _app = null!;
    private int _httpRequests;
    private Uri _http = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<LiveOptions>(_ => { });
        builder.Services.Configure<ForwardedHeadersOptions>(_ => { });
        builder.Services.AddSingleton<IEngineHandlerFactory>(_echo);
        builder.Services.AddEngineServer();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref _httpRequests);
            await next(context);
        });
        _app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        _app.Map("/socket.io/{**rest}", (HttpContext context, EngineServer engine) => engine.HandleAsync(context));
        _app.MapGet("/other", () => "other");
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _http = new Uri(_app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private EngineConnections Connections => _app.Services.GetRequiredService<EngineConnections>();

    private Uri WebSocketUri(string query) => new($"ws://{_http.Authority}/socket.io/?EIO=4&transport=websocket{query}");

    [Fact]
    public async Task ADirectWebSocket_IsServedOffThePipeline_AndCarriesTheSession()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new ClientWebSocket();

        await client.ConnectAsync(WebSocketUri(""), ct);
        var open = await ReceiveAsync(client, ct);
        await SendAsync(client, "4hello", ct);
        var echoed = await ReceiveAsync(client, ct);

        Assert.StartsWith("0{\"sid\":", open, StringComparison.Ordinal);
        Assert.Contains("\"upgrades\":[]", open, StringComparison.Ordinal);
        Assert.Equal("4hello", echoed);
        Assert.Equal(1, Connections.Served);
        Assert.Equal(0, Volatile.Read(ref _httpRequests));
    }

    [Fact]
    public async Task APollingSession_UpgradesOnANewConnectionOffThePipeline()
    {
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = _http };
        var sid = await OpenPollingAsync(http, ct);
        using var client = new ClientWebSocket();

        await client.ConnectAsync(WebSocketUri("&sid=" + Uri.EscapeDataString(sid)), ct);
        await SendAsync(client, "2probe", ct);
        var probe = await ReceiveAsync(client, ct);
        await SendAsync(client, "5", ct);
        await SendAsync(client, "4after the upgrade", ct);
        var echoed = await ReceiveAsync(client, ct);

        Assert.Equal("3probe", probe);
        Assert.Equal("4after the upgrade", echoed);
        Assert.Equal(1, Connections.Served);
        Assert.Equal(1, Volatile.Read(ref _httpRequests));
    }

    [Fact]
    public async Task AProxyThatPoolsConnections_StillSendsTheUpgradeOnAConnectionOfItsOwn()
    {
        // A reverse proxy (YARP in the gateway) sends the polling requests and then the upgrade through one pool of
        // connections; polling answers close theirs, so the upgrade cannot land on one that already served a request.
        var ct = TestContext.Current.CancellationToken;
        using var pool = new SocketsHttpHandler();
        using var http = new HttpClient(pool, disposeHandler: false) { BaseAddress = _http };
        var sid = await OpenPollingAsync(http, ct);
        using var client = new ClientWebSocket();

        await client.ConnectAsync(WebSocketUri("&sid=" + Uri.EscapeDataString(sid)), new HttpMessageInvoker(pool, disposeHandler: false), ct);
        await SendAsync(client, "2probe", ct);
        var probe = await ReceiveAsync(client, ct);

        Assert.Equal("3probe", probe);
        Assert.Equal(1, Connections.Served);
    }

    [Fact]
    public async Task ARefusedUpgrade_GetsItsEngineIOErrorFromTheEndpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var head = UpgradeHead("&sid=unknown", "Upgrade, close");

        var answer = await RawAsync(head, ct);

        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.EndsWith("{\"code\":1,\"message\":\"Session ID unknown\"}", answer, StringComparison.Ordinal);
        Assert.Equal(0, Connections.Served);
        Assert.Equal(1, Volatile.Read(ref _httpRequests));
    }

    [Fact]
    public async Task OtherRequests_AndPlainGetsOfTheSocketPath_ReachThePipelineIntact()
    {
        var ct = TestContext.Current.CancellationToken;

        var other = await RawAsync("GET /other HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", ct);
        var notUpgrade = await RawAsync("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", ct);

        Assert.StartsWith("HTTP/1.1 200", other, StringComparison.Ordinal);
        Assert.EndsWith("other", other, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", notUpgrade, StringComparison.Ordinal);
        Assert.EndsWith("{\"code\":3,\"message\":\"Bad request\"}", notUpgrade, StringComparison.Ordinal);
        Assert.Equal(2, Volatile.Read(ref _httpRequests));
    }

    [Fact]
    public async Task AnUpgradeHeadSentOneByteAtATime_IsStillTaken()
    {
        var ct = TestContext.Current.CancellationToken;
        var head = UpgradeHead("", "Upgrade");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _http.Port, ct);
        var stream = tcp.GetStream();

        foreach (var b in Encoding.ASCII.GetBytes(head))
        {
            await stream.WriteAsync(new[] { b }, ct);
            await stream.FlushAsync(ct);
        }

        var answer = await ReadUntilAsync(stream, "\r\n\r\n", ct);

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Accept: ICX+Yqv66kxgM0FcWaLWlFLwTAI=\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(1, Connections.Served);
        Assert.Equal(0, Volatile.Read(ref _httpRequests));
    }

    [Fact]
    public async Task ASessionClosedWithoutFlush_EndsTheConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = new ClientWebSocket();
        await client.ConnectAsync(WebSocketUri(""), ct);
        await ReceiveAsync(client, ct);

        _echo.Sessions.Single().Close("cut off by the test", flush: false);
        var ended = await EndAsync(client, ct).WaitAsync(TimeSpan.FromSeconds(5), ct);

        Assert.True(ended);
    }

    /// <summary>A raw WebSocket upgrade head (an all-zero key, whose accept value is "ICX+Yqv66kxgM0FcWaLWlFLwTAI=").</summary>
    private static string UpgradeHead(string query, string connection) =>
        $"GET /socket.io/?EIO=4&transport=websocket{query} HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: {connection}\r\n"
        + $"Sec-WebSocket-Key: {Convert.ToBase64String(new byte[16])}\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /// <summary>Opens a polling session; its sid.</summary>
    private static async Task<string> OpenPollingAsync(HttpClient http, CancellationToken ct)
    {
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling", ct);
        return open.Split('"')[3];
    }

    /// <summary>One request on its own connection (it asks for the close), and the answer: the head and the body, de-chunked.</summary>
    private async Task<string> RawAsync(string request, CancellationToken ct)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _http.Port, ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, ct).WaitAsync(TimeSpan.FromSeconds(5), ct);
        var text = Encoding.UTF8.GetString(all.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var (head, body) = (text[..split], text[split..]);
        if (!head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return head + body;
        }

        var decoded = new StringBuilder();
        while (true)
        {
            var line = body.IndexOf("\r\n", StringComparison.Ordinal);
            var size = Convert.ToInt32(body[..line], 16);
            if (size == 0)
            {
                return head + decoded;
            }

            decoded.Append(body, line + 2, size);
            body = body[(line + 2 + size + 2)..];
        }
    }

    private static async Task<string> ReadUntilAsync(NetworkStream stream, string end, CancellationToken ct)
    {
        var text = new StringBuilder();
        var one = new byte[1];
        while (!text.ToString().EndsWith(end, StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), ct) == 0)
            {
                break;
            }

            text.Append((char)one[0]);
        }

        return text.ToString();
    }

    /// <summary>True once the server's side of the connection is gone (a close frame, or the TCP connection dropped).</summary>
    private static async Task<bool> EndAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (WebSocketException)
        {
            return true;
        }
    }

    /// <summary>The layer above, reduced to an echo of every message.</summary>
    private sealed class Echo : IEngineHandlerFactory, IEngineHandler
    {
        public List<EngineSession> Sessions { get; } = [];

        public IEngineHandler Create(EngineSession session, string clientKey)
        {
            lock (Sessions)
            {
                Sessions.Add(session);
            }

            return this;
        }

        public void OnMessage(EngineSession session, string data) => session.Send(data);

        public void OnClose(EngineSession session, string reason)
        {
        }
    }
}
