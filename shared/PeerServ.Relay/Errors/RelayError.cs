using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PeerServ.Relay.Errors;

/// <summary>
/// One error answer of the relay: HTTP status, wire code and a description safe to show the client. Serialized as
/// {"status":"error","code":"ERR_…","description":"…"}, the one error shape of every host and every layer.
/// </summary>
public sealed record RelayError(int Status, string Code, string Description)
{
    /// <summary>The same error with a description that names the offending value or limit.</summary>
    public RelayError With(string description) => this with { Description = description };

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream(64 + Description.Length);
        using (var writer = new Utf8JsonWriter(buffer, RelayJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("status", "error");
            writer.WriteString("code", Code);
            writer.WriteString("description", Description);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes this error as the whole response (status, JSON content type, length, body).</summary>
    public Task WriteAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var body = ToJson();
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>This error as an endpoint result.</summary>
    public IResult ToResult() => new Result(this);

    private sealed class Result(RelayError error) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => error.Status;

        public Task ExecuteAsync(HttpContext httpContext) => error.WriteAsync(httpContext);
    }
}
