using System.Net;
using System.Net.WebSockets;
using System.Text;
using PeerServ.Auth.Crypto;
using PeerServ.Client.Live;
using PeerServ.Tests.Relay;

namespace PeerServ.EndToEnd.Tests;

/// <summary>Live delivery on the standalone host as a real process, through our own live client and raw Engine.IO.</summary>
public sealed class StandaloneLiveTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("peerserv-live-").FullName;
    private ServiceProcess _host = null!;

    public async ValueTask InitializeAsync()
    {
        _host = ServiceProcess.Start("standalone", "services/PeerServ.Standalone", new Dictionary<string, string>
        {
            ["Standalone__DataDirectory"] = _data,
            ["Live__AuthenticationTimeout"] = "00:00:02",
            ["Live__MaxConnectionsPerIdentity"] = "2",
        });
        await _host.WaitReadyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task LiveClient_ReceivesHttpAndSocketSends_AckedAfterStorage_LeaveHonoured()
    {
        var ct = TestContext.Current.CancellationToken;
        var bobKey = PrivateKey.Generate();
        await using var bob = await LiveClient.ConnectAsync(_host.Url, bobKey, cancellationToken: ct);
        await using var alice = await LiveClient.ConnectAsync(_host.Url, PrivateKey.Generate(), bob.ServerKey, ct);
        using var http = new RelayClient(PrivateKey.Generate(), _host.Url, new SocketsHttpHandler());
        using var bobHttp = new RelayClient(bobKey, _host.Url, new SocketsHttpHandler());

        var ack = await alice.SendAsync(bob.Identity.Hex, "in-box", "over the socket", "s-1", ct);
        var (listStatus, listed) = await bobHttp.PostAsync("/listMessages", new { messageBox = "in-box" });
        var first = await NextAsync(bob, ct);
        var (sent, _) = await http.SendAsync(bob.Identity.Hex, "in-box", "over http", "h-1");
        var second = await NextAsync(bob, ct);
        Assert.True(await bob.LeaveAsync("in-box", ct));
        await http.SendAsync(bob.Identity.Hex, "in-box", "while away", "h-2");
        await http.SendAsync(bob.Identity.Hex, "other", "another box", "h-3");
        var third = await NextAsync(bob, ct);

        Assert.Equal(new LiveSendAck(true, "s-1", null, null), ack);
        Assert.Equal(HttpStatusCode.OK, listStatus);
        Assert.Equal("s-1", listed.GetProperty("messages")[0].GetProperty("messageId").GetString());
        Assert.Equal(("in-box", "s-1", alice.Identity.Hex, "over the socket"), (first.MessageBox, first.MessageId, first.Sender, first.Body));
        Assert.Equal(HttpStatusCode.OK, sent);
        Assert.Equal(("in-box", "h-1", "over http"), (second.MessageBox, second.MessageId, second.Body));
        Assert.Equal(("other", "h-3"), (third.MessageBox, third.MessageId));
    }

    [Fact]
    public async Task SocketSend_RefusedByTheRelay_IsAnErrorAck_NothingStored()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var alice = await LiveClient.ConnectAsync(_host.Url, PrivateKey.Generate(), cancellationToken: ct);

        var badRecipient = await alice.SendAsync("02abcd", "inbox", "x", "e-1", ct);
        var badBox = await alice.SendAsync(PrivateKey.Generate().PublicKey.Hex, " padded", "x", "e-2", ct);

        Assert.Equal((false, "ERR_INVALID_RECIPIENT_KEY"), (badRecipient.Succeeded, badRecipient.Code));
        Assert.Equal((false, "ERR_INVALID_MESSAGEBOX"), (badBox.Succeeded, badBox.Code));
    }

    [Fact]
    public async Task ForeignRoom_IsRefused_OwnRoomAccepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var carol = await LiveClient.ConnectAsync(_host.Url, PrivateKey.Generate(), cancellationToken: ct);

        var foreign = await carol.RoomAsync("joinRoom", "joinedRoom", "joinFailed", PrivateKey.Generate().PublicKey.Hex + "-inbox", ct);
        var own = await carol.JoinAsync("payment-inbox", ct);

        Assert.False(foreign);
        Assert.True(own);
    }

    [Fact]
    public async Task ConnectionsPerIdentity_OverTheLimit_TheNewOneIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = PrivateKey.Generate();
        await using var one = await LiveClient.ConnectAsync(_host.Url, key, cancellationToken: ct);
        await using var two = await LiveClient.ConnectAsync(_host.Url, key, cancellationToken: ct);

        var three = await Assert.ThrowsAsync<LiveClientException>(() => LiveClient.ConnectAsync(_host.Url, key, cancellationToken: ct));

        Assert.Contains("most live connections", three.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnauthenticatedConnection_IsDisconnectedWithSocketIODisconnect_AfterTheTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        using var socket = await RawAsync(ct);
        await SendAsync(socket, "40", ct);
        Assert.StartsWith("40{\"sid\":", await ReceiveAsync(socket, ct), StringComparison.Ordinal);

        var frames = await ReceiveUntilCloseAsync(socket, TimeSpan.FromSeconds(10), ct);

        Assert.Contains("41", frames);
    }

    [Fact]
    public async Task EngineIO_Errors_AreItsJsonCodes()
    {
        using var http = new HttpClient { BaseAddress = _host.Url };

        var unknown = await http.GetAsync("/socket.io/?EIO=4&transport=polling&sid=nope", TestContext.Current.CancellationToken);
        var version = await http.GetAsync("/socket.io/?EIO=3&transport=polling", TestContext.Current.CancellationToken);
        var transport = await http.GetAsync("/socket.io/?EIO=4&transport=flash", TestContext.Current.CancellationToken);
        var open = await http.GetStringAsync("/socket.io/?EIO=4&transport=polling&t=abc", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.BadRequest, """{"code":1,"message":"Session ID unknown"}"""), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Equal((HttpStatusCode.BadRequest, """{"code":5,"message":"Unsupported protocol version"}"""), (version.StatusCode, await version.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Equal((HttpStatusCode.BadRequest, """{"code":0,"message":"Transport unknown"}"""), (transport.StatusCode, await transport.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
        Assert.Matches("""^0\{"sid":"[^"]+","upgrades":\["websocket"\],"pingInterval":25000,"pingTimeout":20000,"maxPayload":\d+\}$""", open);
    }

    [Fact]
    public async Task Sigterm_EveryConnectionGetsASocketIODisconnect_BeforeTheClose()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var listener = await LiveClient.ConnectAsync(_host.Url, PrivateKey.Generate(), cancellationToken: ct);
        using var raw = await RawAsync(ct);
        await SendAsync(raw, "40", ct);
        await ReceiveAsync(raw, ct);

        var terminating = _host.TerminateAsync(TimeSpan.FromSeconds(30));
        var frames = await ReceiveUntilCloseAsync(raw, TimeSpan.FromSeconds(15), ct);
        await terminating;
        await Task.Delay(200, ct);

        Assert.Contains("41", frames);
        Assert.Equal("the relay disconnected this socket (Socket.IO disconnect)", listener.Closed);
    }

    private static async Task<LiveMessage> NextAsync(LiveClient client, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await client.Messages.ReadAsync(timeout.Token);
    }

    private async Task<ClientWebSocket> RawAsync(CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_host.Url.Port}/socket.io/?EIO=4&transport=websocket"), ct);
        Assert.StartsWith("0{\"sid\":", await ReceiveAsync(socket, ct), StringComparison.Ordinal);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, ct);
        return result.MessageType == WebSocketMessageType.Close ? "(close)" : Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<List<string>> ReceiveUntilCloseAsync(ClientWebSocket socket, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var frames = new List<string>();
        try
        {
            while (true)
            {
                var frame = await ReceiveAsync(socket, deadline.Token);
                frames.Add(frame);
                if (frame == "(close)")
                {
                    return frames;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            frames.Add("(ended: " + ex.GetType().Name + ")");
            return frames;
        }
    }
}
