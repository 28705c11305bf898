namespace PeerServ.Live.EngineIO;

/// <summary>Engine.IO 4 packet types, as the digit that starts a text packet.</summary>
internal enum EnginePacketType
{
    Open = '0',
    Close = '1',
    Ping = '2',
    Pong = '3',
    Message = '4',
    Upgrade = '5',
    Noop = '6',
}

/// <summary>Engine.IO 4 text packets and the polling payload that carries several of them.</summary>
internal static class EnginePacket
{
    /// <summary>The record separator between packets of one polling payload.</summary>
    public const char Separator = '\x1e';

    public const string Ping = "2";
    public const string Pong = "3";
    public const string Noop = "6";
    public const string Close = "1";
    public const string ProbePing = "2probe";
    public const string ProbePong = "3probe";
    public const string Upgrade = "5";

    /// <summary>The type and data of one text packet; false for an empty packet, an unknown type or a binary packet ("b…").</summary>
    public static bool TryParse(ReadOnlySpan<char> packet, out EnginePacketType type, out ReadOnlySpan<char> data)
    {
        data = default;
        type = default;
        if (packet.IsEmpty || packet[0] is < '0' or > '6')
        {
            return false;
        }

        type = (EnginePacketType)packet[0];
        data = packet[1..];
        return true;
    }

    public static string Message(string data) => "4" + data;

    /// <summary>The packets of a polling payload, in order (an empty payload holds none).</summary>
    public static IEnumerable<string> Split(string payload) =>
        payload.Length == 0 ? [] : payload.Split(Separator);

    /// <summary>A polling payload of these packets.</summary>
    public static string Join(IReadOnlyCollection<string> packets) => string.Join(Separator, packets);

    /// <summary>The open packet: the session id and the heartbeat and size the client must keep to.</summary>
    public static string Open(string sid, bool canUpgrade, TimeSpan pingInterval, TimeSpan pingTimeout, int maxPayload) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $$"""0{"sid":"{{sid}}","upgrades":[{{(canUpgrade ? "\"websocket\"" : "")}}],"pingInterval":{{(long)pingInterval.TotalMilliseconds}},"pingTimeout":{{(long)pingTimeout.TotalMilliseconds}},"maxPayload":{{maxPayload}}}""");
}
