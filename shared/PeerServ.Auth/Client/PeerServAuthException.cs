using System.Net;
using System.Text.Json;

namespace PeerServ.Auth.Client;

/// <summary>The server's answer could not be authenticated, or the server refused to authenticate us.</summary>
public sealed class PeerServAuthException : HttpRequestException
{
    public PeerServAuthException(string message, HttpStatusCode? status = null, string? code = null, string? body = null)
        : base(message, null, status)
    {
        Code = code;
        Body = body;
    }

    public PeerServAuthException()
    {
    }

    public PeerServAuthException(string message)
        : base(message)
    {
    }

    public PeerServAuthException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The server's error code (e.g. ERR_AUTH_FAILED) when it sent one.</summary>
    public string? Code { get; }

    public string? Body { get; }

    internal static PeerServAuthException FromUnsigned(HttpStatusCode status, byte[] body)
    {
        string? code = null;
        string? description = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = doc.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
                description = doc.RootElement.TryGetProperty("description", out var d) ? d.GetString() : null;
            }
        }
        catch (JsonException)
        {
        }

        var text = System.Text.Encoding.UTF8.GetString(body);
        return new PeerServAuthException(
            $"Unsigned response {(int)status}{(code is null ? "" : $" {code}")}: {description ?? (text.Length > 200 ? text[..200] : text)}",
            status, code, text);
    }
}
