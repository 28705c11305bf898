using System.Globalization;
using System.Text;

namespace PeerServ.Live.SocketIO;

/// <summary>Socket.IO 5 packet types, the first character of a packet.</summary>
internal enum SocketPacketType
{
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}

/// <summary>
/// One Socket.IO 5 packet: <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ack id&gt;][&lt;JSON&gt;]</c>. The
/// namespace is "/" when absent; binary packets (attachments) are refused by the parser, as no client of this
/// relay sends them.
/// </summary>
internal readonly record struct SocketPacket(SocketPacketType Type, string Namespace, long? AckId, string Json)
{
    public const string RootNamespace = "/";
    private const int MaxNamespaceLength = 256;

    public static bool TryParse(string text, out SocketPacket packet)
    {
        packet = default;
        if (string.IsNullOrEmpty(text) || text[0] is < '0' or > '6')
        {
            return false;
        }

        var type = (SocketPacketType)(text[0] - '0');
        if (type is SocketPacketType.BinaryEvent or SocketPacketType.BinaryAck)
        {
            return false;
        }

        var i = 1;
        var nsp = RootNamespace;
        if (i < text.Length && text[i] == '/')
        {
            var comma = text.IndexOf(',', i);
            var end = comma < 0 ? text.Length : comma;
            if (end - i > MaxNamespaceLength)
            {
                return false;
            }

            nsp = text[i..end];
            i = comma < 0 ? text.Length : comma + 1;
        }

        long? ackId = null;
        var digits = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && i - digits < 15)
        {
            i++;
        }

        if (i > digits)
        {
            ackId = long.Parse(text.AsSpan(digits, i - digits), CultureInfo.InvariantCulture);
        }

        packet = new SocketPacket(type, nsp, ackId, text[i..]);
        return true;
    }

    /// <summary>The packet's text, the namespace written only when it is not the root one.</summary>
    public static string Encode(SocketPacketType type, string nsp, string json = "")
    {
        var text = new StringBuilder(2 + nsp.Length + json.Length).Append((char)('0' + (int)type));
        if (nsp != RootNamespace)
        {
            text.Append(nsp).Append(',');
        }

        return text.Append(json).ToString();
    }
}
