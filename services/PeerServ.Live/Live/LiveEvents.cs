namespace PeerServ.Live.Live;

/// <summary>The event names of the authsocket protocol as @bsv/message-box-client 2.1.1 speaks it.</summary>
internal static class LiveEvents
{
    /// <summary>The one Socket.IO event on the wire: its argument is a BRC-103 message.</summary>
    public const string AuthMessage = "authMessage";

    public const string Authenticated = "authenticated";
    public const string AuthenticationSuccess = "authenticationSuccess";
    public const string AuthenticationFailed = "authenticationFailed";
    public const string JoinRoom = "joinRoom";
    public const string JoinedRoom = "joinedRoom";
    public const string JoinFailed = "joinFailed";
    public const string LeaveRoom = "leaveRoom";
    public const string LeftRoom = "leftRoom";
    public const string LeaveFailed = "leaveFailed";
    public const string SendMessage = "sendMessage";

    /// <summary>The ack of a socket send to a room: "sendMessageAck-&lt;recipient&gt;-&lt;box&gt;".</summary>
    public static string SendMessageAck(string roomId) => "sendMessageAck-" + roomId;

    /// <summary>A delivery: "sendMessage-&lt;recipient&gt;-&lt;box&gt;".</summary>
    public static string Delivery(string recipient, string box) => $"sendMessage-{recipient}-{box}";

    /// <summary>A room "&lt;66-hex key&gt;-&lt;box&gt;" split at the first '-' (a box may hold '-').</summary>
    public static bool TrySplitRoom(string? roomId, out string key, out string box)
    {
        key = box = "";
        var dash = roomId?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (dash <= 0 || dash == roomId!.Length - 1)
        {
            return false;
        }

        key = roomId[..dash];
        box = roomId[(dash + 1)..];
        return true;
    }
}
