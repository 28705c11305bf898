using System.Buffers;
using System.Text;
using PeerServ.Live.EngineIO;

namespace PeerServ.Live.Tests;

/// <summary>
/// The first request head a connection may be served on without the HTTP pipeline: exactly the plain Engine.IO
/// WebSocket upgrade, and nothing that ASP.NET Core should decide about instead.
/// </summary>
public sealed class WebSocketUpgradeHeadTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Upgrade(string target = "/socket.io/?EIO=4&transport=websocket", string extra = "") =>
        $"GET {target} HTTP/1.1\r\nHost: relay.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    private static UpgradeHeadStatus Parse(string text, out WebSocketUpgradeHead? head, out int length) =>
        WebSocketUpgradeHead.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out head, out length);

    [Fact]
    public void APlainUpgrade_IsRecognised_WithItsQueryHeadersAndLength()
    {
        var text = Upgrade("/socket.io/?EIO=4&transport=websocket&sid=ab12.xyz", "x-peerserv-live-tag: ab12\r\nX-Forwarded-For: 203.0.113.7\r\nOrigin: null\r\n");

        var status = Parse(text + "\x81\x05hello", out var head, out var length);

        Assert.Equal(UpgradeHeadStatus.Upgrade, status);
        Assert.Equal(text.Length, length);
        Assert.Equal("4", head!.Query["EIO"]);
        Assert.Equal("websocket", head.Query["transport"]);
        Assert.Equal("ab12.xyz", head.Query["sid"]);
        Assert.Equal("ab12", head.ReplicaTag);
        Assert.Equal("203.0.113.7", head.ForwardedFor);
    }

    [Fact]
    public void TheAcceptKey_IsRfc6455sExample()
    {
        Parse(Upgrade(), out var head, out _);

        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head!.AcceptKey());
    }

    [Fact]
    public void HeaderNamesAndTokens_AreCaseInsensitive_AndConnectionMayListSeveral()
    {
        var text = $"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nhost: a\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-key: {Key}\r\nsec-websocket-version: 13\r\n\r\n";

        Assert.Equal(UpgradeHeadStatus.Upgrade, Parse(text, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GET /socket.io")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\n")]
    public void AnIncompleteUpgrade_NeedsMore(string text)
    {
        Assert.Equal(UpgradeHeadStatus.NeedMore, Parse(text, out _, out _));
    }

    [Theory]
    [InlineData("POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n")]
    [InlineData("GET /sendMessage HTTP/1.1\r\n")]
    [InlineData("GET /socket.iox")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\x16\x03\x01\x02\x00")]
    public void AnotherRequest_IsNotOurs_AsSoonAsItsFirstBytesDiffer(string text)
    {
        Assert.Equal(UpgradeHeadStatus.NotOurs, Parse(text, out _, out _));
    }

    [Fact]
    public void APollingRequest_IsNotOurs()
    {
        var text = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";

        Assert.Equal(UpgradeHeadStatus.NotOurs, Parse(text, out _, out _));
    }

    [Theory]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")] // repeated
    [InlineData(" folded-continuation\r\n")]
    [InlineData("Content-Length: 5\r\n")]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Bad Name: x\r\n")]
    [InlineData("NoColon\r\n")]
    public void AnUnusualOrAmbiguousHead_IsNotOurs(string extra)
    {
        Assert.Equal(UpgradeHeadStatus.NotOurs, Parse(Upgrade(extra: extra), out _, out _));
    }

    [Theory]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    public void AnythingButAPlainHttp11Upgrade_IsNotOurs(string text)
    {
        Assert.Equal(UpgradeHeadStatus.NotOurs, Parse(text, out _, out _));
    }

    [Theory]
    [InlineData("/socket.io/%2e%2e/?EIO=4&transport=websocket")]
    [InlineData("/socket.io/?EIO=4&transport=websocket#x")]
    public void AnEncodedOrFragmentedTarget_IsNotOurs(string target)
    {
        Assert.Equal(UpgradeHeadStatus.NotOurs, Parse(Upgrade(target), out _, out _));
    }

    [Fact]
    public void NonAsciiBytes_AreNotOurs()
    {
        var bytes = Encoding.Latin1.GetBytes(Upgrade(extra: "X-Name: caf\u00e9\r\n"));

        Assert.Equal(UpgradeHeadStatus.NotOurs, WebSocketUpgradeHead.TryParse(new ReadOnlySequence<byte>(bytes), out _, out _));
    }

    [Fact]
    public void AHeadOver8KiB_IsNotOurs_EvenWhenItIsNotComplete()
    {
        var text = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nX-Padding: " + new string('a', WebSocketUpgradeHead.MaxHeadBytes);

        Assert.Equal(UpgradeHeadStatus.NotOurs, Parse(text, out _, out _));
    }

    [Fact]
    public void AHeadSplitAcrossSegments_IsRecognised()
    {
        var bytes = Encoding.ASCII.GetBytes(Upgrade());
        var first = new Segment(bytes.AsMemory(0, 7));
        var last = first.Append(bytes.AsMemory(7));

        var status = WebSocketUpgradeHead.TryParse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), out _, out var length);

        Assert.Equal(UpgradeHeadStatus.Upgrade, status);
        Assert.Equal(bytes.Length, length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
