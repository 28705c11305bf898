namespace PeerServ.Auth.Protocol;

/// <summary>The exact bytes BRC-104 signs for a request and for a response (BRC-104; tests/vectors/vectors.json holds vectors for both).</summary>
public static class Brc104Payload
{
    public const string SignatureProtocol = "auth message signature";

    /// <summary>Invoice "2-auth message signature-&lt;keyID&gt;", built without re-validating the fixed protocol name.</summary>
    public const string HandshakePath = "/.well-known/auth";

    public static string Invoice(string nonce, string peerSessionNonce) => $"2-{SignatureProtocol}-{nonce} {peerSessionNonce}";

    /// <summary>Signed request headers: x-bsv-* (not x-bsv-auth*), authorization, and content-type cut at ';'. Sorted by name.</summary>
    public static List<KeyValuePair<string, string>> SelectRequestHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var selected = new List<KeyValuePair<string, string>>();
        foreach (var (rawName, value) in headers)
        {
            var name = rawName.ToLowerInvariant();
            if (name == "content-type")
            {
                var cut = value.IndexOf(';', StringComparison.Ordinal);
                selected.Add(new(name, (cut >= 0 ? value[..cut] : value).Trim()));
            }
            else if (name == "authorization" || IsSignedBsvHeader(name))
            {
                selected.Add(new(name, value));
            }
        }

        selected.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return selected;
    }

    /// <summary>Signed response headers: x-bsv-* (not x-bsv-auth*) and authorization. Sorted by name.</summary>
    public static List<KeyValuePair<string, string>> SelectResponseHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var selected = new List<KeyValuePair<string, string>>();
        foreach (var (rawName, value) in headers)
        {
            var name = rawName.ToLowerInvariant();
            if (name == "authorization" || IsSignedBsvHeader(name))
            {
                selected.Add(new(name, value));
            }
        }

        selected.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return selected;
    }

    /// <summary>
    /// Request payload. <paramref name="query"/> includes its leading '?'; null, empty or a bare "?" is written as -1.
    /// An empty body is written as -1 (what clients sign when they send none).
    /// </summary>
    public static void WriteRequest(
        PayloadSink sink,
        ReadOnlySpan<byte> requestId,
        string method,
        string path,
        string? query,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders,
        ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(signedHeaders);
        sink.Write(requestId);
        sink.WriteString(method);
        sink.WriteString(string.IsNullOrEmpty(path) ? null : path);
        sink.WriteString(string.IsNullOrEmpty(query) || query == "?" ? null : query);
        WriteHeaders(sink, signedHeaders);
        WriteBody(sink, body);
    }

    public static void WriteResponse(
        PayloadSink sink,
        ReadOnlySpan<byte> requestId,
        int status,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders,
        ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(signedHeaders);
        sink.Write(requestId);
        sink.WriteVarInt(status);
        WriteHeaders(sink, signedHeaders);
        WriteBody(sink, body);
    }

    private static bool IsSignedBsvHeader(string lowerName) =>
        lowerName.StartsWith("x-bsv-", StringComparison.Ordinal) && !lowerName.StartsWith(AuthHeaders.Brc104Prefix, StringComparison.Ordinal);

    private static void WriteHeaders(PayloadSink sink, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        sink.WriteVarInt(headers.Count);
        foreach (var (name, value) in headers)
        {
            sink.WriteString(name);
            sink.WriteString(value);
        }
    }

    private static void WriteBody(PayloadSink sink, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            sink.WriteVarInt(-1);
        }
        else
        {
            sink.WriteBytes(body);
        }
    }
}
