using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace PeerServ.Live.EngineIO;

/// <summary>What <see cref="WebSocketUpgradeHead.TryParse"/> made of the bytes a connection has sent so far.</summary>
internal enum UpgradeHeadStatus
{
    /// <summary>Not (yet) decidable: the bytes so far begin an Engine.IO WebSocket upgrade, its head is not complete.</summary>
    NeedMore,

    /// <summary>Anything else — another request, an unusual form of this one, a malformed head: for ASP.NET Core to serve.</summary>
    NotOurs,

    /// <summary>A complete, plain Engine.IO WebSocket upgrade request.</summary>
    Upgrade,
}

/// <summary>
/// The head of a connection's first request when it is an Engine.IO WebSocket upgrade in its plain form
/// (<c>GET /socket.io/?… HTTP/1.1</c>, <c>Upgrade: websocket</c>, <c>Connection: upgrade</c>, version 13, a key, a
/// host, no body), which <see cref="EngineConnections"/> serves without the HTTP request pipeline. It is deliberately
/// narrow: whatever it does not recognise exactly (a percent-encoded path, folded or repeated headers, a body,
/// HTTP/1.0, a head over 8 KiB) is <see cref="UpgradeHeadStatus.NotOurs"/>, and ASP.NET Core serves it as any request.
/// </summary>
internal sealed class WebSocketUpgradeHead
{
    public const int MaxHeadBytes = 8 * 1024;

    private static ReadOnlySpan<byte> Prefix => "GET /socket.io/"u8;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    private static readonly SearchValues<char> NotInTarget = SearchValues.Create(" %#\t\r\n");

    private static readonly char[] Whitespace = [' ', '\t'];

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketUpgradeHead(Dictionary<string, StringValues> query, string key, string? replicaTag, string? forwardedFor)
    {
        Query = query;
        Key = key;
        ReplicaTag = replicaTag;
        ForwardedFor = forwardedFor;
    }

    public Dictionary<string, StringValues> Query { get; }

    /// <summary>Sec-WebSocket-Key.</summary>
    public string Key { get; }

    /// <summary>The gateway's <see cref="EngineServer.ReplicaTagHeader"/>, when present.</summary>
    public string? ReplicaTag { get; }

    /// <summary>X-Forwarded-For, when present (believed only from a configured proxy).</summary>
    public string? ForwardedFor { get; }

    /// <summary>Sec-WebSocket-Accept for the key: base64(SHA-1(key + RFC 6455's GUID)).</summary>
    public string AcceptKey()
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 here; it proves the server read the handshake, it secures nothing.
        SHA1.HashData(Encoding.ASCII.GetBytes(Key + AcceptGuid), hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>Reads the head from the start of <paramref name="buffer"/>; on success, <paramref name="length"/> is its size in bytes.</summary>
    public static UpgradeHeadStatus TryParse(in ReadOnlySequence<byte> buffer, out WebSocketUpgradeHead? head, out int length)
    {
        head = null;
        length = 0;
        var available = (int)Math.Min(buffer.Length, MaxHeadBytes);
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(available, 1));
        try
        {
            var span = bytes.AsSpan(0, available);
            buffer.Slice(0, available).CopyTo(span);
            var compared = Math.Min(span.Length, Prefix.Length);
            if (!span[..compared].SequenceEqual(Prefix[..compared]))
            {
                return UpgradeHeadStatus.NotOurs;
            }

            var end = span.IndexOf(EndOfHead);
            if (end < 0)
            {
                return available == MaxHeadBytes ? UpgradeHeadStatus.NotOurs : UpgradeHeadStatus.NeedMore;
            }

            var text = span[..end];
            foreach (var b in text)
            {
                if (b >= 0x7F || (b < 0x20 && b is not ((byte)'\r' or (byte)'\n' or (byte)'\t')))
                {
                    return UpgradeHeadStatus.NotOurs;
                }
            }

            head = Parse(Encoding.ASCII.GetString(text));
            length = end + EndOfHead.Length;
            return head is null ? UpgradeHeadStatus.NotOurs : UpgradeHeadStatus.Upgrade;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static WebSocketUpgradeHead? Parse(string text)
    {
        var lines = text.Split("\r\n");
        var requestLine = lines[0];
        const string Version = " HTTP/1.1";
        if (!requestLine.EndsWith(Version, StringComparison.Ordinal))
        {
            return null;
        }

        var target = requestLine["GET ".Length..^Version.Length];
        if (target.AsSpan().IndexOfAny(NotInTarget) >= 0)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsToken(line.AsSpan(0, colon)) || !headers.TryAdd(line[..colon], line[(colon + 1)..].Trim(Whitespace)))
            {
                // A folded line, a malformed name or a repeated header: ASP.NET Core decides what it means.
                return null;
            }
        }

        if (!headers.ContainsKey("Host") || headers.ContainsKey("Content-Length") || headers.ContainsKey("Transfer-Encoding")
            || !headers.TryGetValue("Upgrade", out var upgrade) || !upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase)
            || !headers.TryGetValue("Connection", out var connection) || !HasToken(connection, "upgrade")
            || !headers.TryGetValue("Sec-WebSocket-Version", out var version) || version != "13"
            || !headers.TryGetValue("Sec-WebSocket-Key", out var key) || !IsKey(key))
        {
            return null;
        }

        var question = target.IndexOf('?', StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(question < 0 ? "" : target[question..]);
        headers.TryGetValue(EngineServer.ReplicaTagHeader, out var tag);
        headers.TryGetValue("X-Forwarded-For", out var forwardedFor);
        return new WebSocketUpgradeHead(query, key, tag, forwardedFor);
    }

    private static bool IsToken(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasToken(string value, string token)
    {
        foreach (var part in value.Split(','))
        {
            if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 6455: the base64 of 16 bytes.</summary>
    private static bool IsKey(string key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
