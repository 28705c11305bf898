using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PeerServ.Auth.Server;

/// <summary>The error shape every endpoint uses: {"status":"error","code":"ERR_…","description":"…"}.</summary>
public static class AuthError
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Body(string code, string description)
    {
        using var buffer = new MemoryStream(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "error");
            writer.WriteString("code", code);
            writer.WriteString("description", description);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>An unsigned error (no session to sign for, or authentication failed).</summary>
    public static Task WriteUnsignedAsync(HttpContext context, int status, string code, string description)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = Body(code, description);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}

/// <summary>A request rejected by the auth layer: status, code and a description safe to show the client.</summary>
internal sealed class AuthRejection(int status, string code, string description) : Exception(description)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
