using System.Net.WebSockets;
using System.Text;

namespace PeerServ.Live.Tests;

/// <summary>Text frames on a test's WebSocket: one send, one receive (5 s at most).</summary>
internal static class WebSocketText
{
    public static Task SendAsync(WebSocket socket, string text, CancellationToken ct) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

    public static async Task<string> ReceiveAsync(WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), ct).WaitAsync(TimeSpan.FromSeconds(5), ct);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
