using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PeerServ.ServiceDefaults.Tests;

/// <summary>Total open connections are bounded (Kestrel:Limits:MaxConcurrentConnections), with a default, on a real listener.</summary>
public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Default_IsBounded()
    {
        await using var app = await StartAsync([]);

        Assert.Equal(10_000, app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxConcurrentConnections);
    }

    [Fact]
    public async Task AHostsOwnDefault_RaisesTheBound_AndConfigurationStillOverridesIt()
    {
        var liveDefaults = new Dictionary<string, string?> { ["Kestrel:Limits:MaxConcurrentConnections"] = "21000" };

        await using var host = await StartAsync([], liveDefaults);
        await using var configured = await StartAsync(["--Kestrel:Limits:MaxConcurrentConnections=500"], liveDefaults);

        Assert.Equal(21_000, host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxConcurrentConnections);
        Assert.Equal(500, configured.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxConcurrentConnections);
        Assert.Equal(8192, host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestLineSize);
    }

    [Fact]
    public async Task OverTheConfiguredBound_NewConnectionClosedWhileTheOpenOnesAreServed()
    {
        await using var app = await StartAsync(["--Kestrel:Limits:MaxConcurrentConnections=2"]);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var ct = TestContext.Current.CancellationToken;
        using var first = await ConnectAsync(port, ct);
        using var second = await ConnectAsync(port, ct);
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(first, ct), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await GetAsync(second, ct), StringComparison.Ordinal);

        using var third = await ConnectAsync(port, ct);
        var refused = await GetAsync(third, ct);
        var stillServed = await GetAsync(first, ct);

        Assert.Equal("", refused);
        Assert.StartsWith("HTTP/1.1 200", stillServed, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAsync(string[] args, IReadOnlyDictionary<string, string?>? hostDefaults = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls=http://127.0.0.1:0", "--Management:Url=", .. args]);
        builder.AddServiceDefaults(configurationDefaults: hostDefaults);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/hello", () => "hi");
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static async Task<Socket> ConnectAsync(int port, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
        return socket;
    }

    private static bool IsComplete(string response) =>
        response.Contains("\r\n\r\n", StringComparison.Ordinal)
        && (response.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? response.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal) : response.EndsWith("hi", StringComparison.Ordinal));

    /// <summary>One keep-alive GET on the connection: the response head, or "" when the server closed the connection.</summary>
    private static async Task<string> GetAsync(Socket socket, CancellationToken ct)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"), ct);
            var buffer = new byte[4096];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            // One response, whole: a read may stop anywhere in it (a chunked body ends with its zero-length chunk).
            var response = new StringBuilder();
            while (!IsComplete(response.ToString()))
            {
                var n = await socket.ReceiveAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    break;
                }

                response.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            return response.ToString();
        }
        catch (SocketException)
        {
            return "";
        }
    }
}
