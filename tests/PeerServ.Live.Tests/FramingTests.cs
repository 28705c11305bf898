using PeerServ.Live.EngineIO;
using PeerServ.Live.SocketIO;

namespace PeerServ.Live.Tests;

/// <summary>Engine.IO 4 and Socket.IO 5 framing, against the transcripts captured from the real client (live-and-permissions.md §1.2).</summary>
public sealed class FramingTests
{
    [Fact]
    public void EngineOpen_MatchesTheCapturedOpenPacket()
    {
        var open = EnginePacket.Open("W-YGZPxegvTYmn2rAAAA", canUpgrade: true, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(20), 1_000_000);

        Assert.Equal("""0{"sid":"W-YGZPxegvTYmn2rAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""", open);
    }

    [Fact]
    public void EngineOpen_OnADirectWebSocketOffersNoUpgrade()
    {
        Assert.Contains("\"upgrades\":[]", EnginePacket.Open("x", canUpgrade: false, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(20), 10), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2", '2', "")]
    [InlineData("3", '3', "")]
    [InlineData("2probe", '2', "probe")]
    [InlineData("5", '5', "")]
    [InlineData("6", '6', "")]
    [InlineData("40", '4', "0")]
    [InlineData("42[\"authMessage\",{}]", '4', "2[\"authMessage\",{}]")]
    public void EnginePacket_ParsesTypeAndData(string text, char type, string data)
    {
        Assert.True(EnginePacket.TryParse(text, out var parsedType, out var parsedData));
        Assert.Equal((EnginePacketType)type, parsedType);
        Assert.Equal(data, parsedData.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("bAAAA")]
    [InlineData("x")]
    public void EnginePacket_RefusesEmptyUnknownAndBinary(string text) => Assert.False(EnginePacket.TryParse(text, out _, out _));

    [Fact]
    public void PollingPayload_SplitsAndJoinsOnTheRecordSeparator()
    {
        var payload = "40\u001e42[\"authMessage\",{\"a\":1}]\u001e3";

        var packets = EnginePacket.Split(payload).ToList();

        Assert.Equal(["40", "42[\"authMessage\",{\"a\":1}]", "3"], packets);
        Assert.Equal(payload, EnginePacket.Join(packets));
        Assert.Empty(EnginePacket.Split(""));
    }

    [Theory]
    [InlineData("0", 0, "/", null, "")]
    [InlineData("0/mb,", 0, "/mb", null, "")]
    [InlineData("1", 1, "/", null, "")]
    [InlineData("2[\"authMessage\",{\"version\":\"0.1\"}]", 2, "/", null, "[\"authMessage\",{\"version\":\"0.1\"}]")]
    [InlineData("2/mb,[\"authMessage\",{}]", 2, "/mb", null, "[\"authMessage\",{}]")]
    [InlineData("2/mb,12[\"x\"]", 2, "/mb", 12L, "[\"x\"]")]
    [InlineData("312[]", 3, "/", 12L, "[]")]
    [InlineData("4/mb,{\"message\":\"Invalid namespace\"}", 4, "/mb", null, "{\"message\":\"Invalid namespace\"}")]
    public void SocketPacket_ParsesTypeNamespaceAckIdAndJson(string text, int type, string nsp, long? ackId, string json)
    {
        Assert.True(SocketPacket.TryParse(text, out var packet));
        Assert.Equal(new SocketPacket((SocketPacketType)type, nsp, ackId, json), packet);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("61-0[]")]
    public void SocketPacket_RefusesUnknownAndBinaryPackets(string text) => Assert.False(SocketPacket.TryParse(text, out _));

    [Fact]
    public void SocketPacket_EncodesTheCapturedServerPackets()
    {
        Assert.Equal("""0{"sid":"F9qQtrL6qwch9kL6AAAA"}""", SocketPacket.Encode(SocketPacketType.Connect, "/", """{"sid":"F9qQtrL6qwch9kL6AAAA"}"""));
        Assert.Equal("1", SocketPacket.Encode(SocketPacketType.Disconnect, "/"));
        Assert.Equal("2/mb,[\"authMessage\",{}]", SocketPacket.Encode(SocketPacketType.Event, "/mb", "[\"authMessage\",{}]"));
        Assert.Equal("1/mb,", SocketPacket.Encode(SocketPacketType.Disconnect, "/mb"));
    }

    [Theory]
    [InlineData("02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943-inbox", "02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943", "inbox")]
    [InlineData("02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943-payment-inbox", "02c7ece5a9ef3ee6553f0d2fd9f168ccc5f94fde08c6fd2411882c722ad2526943", "payment-inbox")]
    public void Room_SplitsAtTheFirstDash(string room, string key, string box)
    {
        Assert.True(Live.LiveEvents.TrySplitRoom(room, out var k, out var b));
        Assert.Equal((key, box), (k, b));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-inbox")]
    [InlineData("02c7-")]
    [InlineData("nodash")]
    public void Room_WithoutKeyOrBoxIsRefused(string? room) => Assert.False(Live.LiveEvents.TrySplitRoom(room, out _, out _));
}
