using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using PeerServ.Live.EngineIO;

using static PeerServ.Live.Tests.WebSocketText;

namespace PeerServ.Live.Tests;

/// <summary>One Engine.IO session over a real WebSocket pair (loopback TCP): the upgrade from polling, and the heartbeat.</summary>
public sealed class EngineSessionTests
{
    private static readonly EngineOptions Options = new(TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(20), 1 << 20, 1 << 20, 100);

    [Fact]
    public async Task Upgrade_APollArrivingAfterTheProbe_IsAnsweredWithANoopAtOnce_ThenEverythingGoesOverTheWebSocket()
    {
        var ct = TestContext.Current.CancellationToken;
        var (server, client) = await WebSocketPairAsync(ct);
        var session = new EngineSession("s", EngineTransport.Polling, Options, TimeProvider.System);
        var running = session.RunWebSocketAsync(server);

        await SendAsync(client, "2probe", ct);
        var probe = await ReceiveAsync(client, ct);
        // The poll the client had in flight reaches the server only now: it must not wait for data (the client waits for it).
        var late = await session.PollAsync(ct).WaitAsync(TimeSpan.FromSeconds(2), ct);
        await SendAsync(client, "5", ct);
        await Task.Delay(100, ct);
        session.Send("2[\"authMessage\",{}]");
        var overWebSocket = await ReceiveAsync(client, ct);

        Assert.Equal("3probe", probe);
        Assert.Equal("6", late.Payload);
        Assert.Equal(EngineTransport.WebSocket, session.Transport);
        Assert.Equal("42[\"authMessage\",{}]", overWebSocket);
        session.Close("test over");
        await running.WaitAsync(TimeSpan.FromSeconds(5), ct);
    }

    [Fact]
    public async Task Polling_QueuedPacketsComeInOnePayload_AndAClosedSessionAnswersTheClosePacket()
    {
        var ct = TestContext.Current.CancellationToken;
        var session = new EngineSession("s", EngineTransport.Polling, Options, TimeProvider.System);

        session.Send("0{\"sid\":\"x\"}");
        session.Send("2[\"a\"]");
        var first = await session.PollAsync(ct);
        session.Close("done");
        var last = await session.PollAsync(ct);

        Assert.Equal("40{\"sid\":\"x\"}\u001e42[\"a\"]", first.Payload);
        Assert.Equal("1", last.Payload);
    }

    [Fact]
    public async Task Polling_ASecondConcurrentPoll_EndsTheSession()
    {
        var ct = TestContext.Current.CancellationToken;
        var session = new EngineSession("s", EngineTransport.Polling, Options, TimeProvider.System);

        var waiting = session.PollAsync(ct);
        var second = await session.PollAsync(ct);

        Assert.Null(second.Payload);
        Assert.True(session.IsClosed);
        Assert.Equal("1", (await waiting.WaitAsync(TimeSpan.FromSeconds(2), ct)).Payload);
    }

    [Fact]
    public void Heartbeat_PingWhenDue_CloseWhenThePongIsLate()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var session = new EngineSession("s", EngineTransport.Polling, Options, time);

        time.Advance(TimeSpan.FromSeconds(26));
        session.Tick();
        var pingQueued = !session.IsClosed;
        time.Advance(TimeSpan.FromSeconds(21));
        session.Tick();

        Assert.True(pingQueued);
        Assert.True(session.IsClosed);
    }

    [Fact]
    public void Heartbeat_APongInTime_KeepsTheSession()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var session = new EngineSession("s", EngineTransport.Polling, Options, time);

        time.Advance(TimeSpan.FromSeconds(26));
        session.Tick();
        time.Advance(TimeSpan.FromSeconds(5));
        session.Receive("3");
        time.Advance(TimeSpan.FromSeconds(30));
        session.Tick();

        Assert.False(session.IsClosed);
    }

    private static async Task<(WebSocket Server, WebSocket Client)> WebSocketPairAsync(CancellationToken ct)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, ct);
        var server = await listener.AcceptTcpClientAsync(ct);
        return (WebSocket.CreateFromStream(server.GetStream(), isServer: true, subProtocol: null, keepAliveInterval: TimeSpan.Zero),
            WebSocket.CreateFromStream(client.GetStream(), isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero));
    }

}
