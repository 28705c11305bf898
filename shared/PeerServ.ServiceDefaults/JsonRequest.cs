using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Server;

namespace PeerServ.ServiceDefaults;

/// <summary>Reads a JSON object request body within a byte limit: 413 above it (before buffering when the length is known), 400 for bad JSON.</summary>
public static class JsonRequest
{
    /// <summary>
    /// The verified caller (from the auth layer or the gateway's assertion) and its request, read within
    /// <paramref name="maxBytes"/> and parsed by <paramref name="parse"/>; or the error answer for any step that fails.
    /// </summary>
    public static async Task<(PeerIdentity Caller, T Request, IResult? Error)> ReadAuthenticatedAsync<T>(
        HttpContext context, long maxBytes, string tooLargeCode, Func<JsonElement, (T? Request, IResult? Error)> parse)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (context.GetPeerIdentity() is not { } caller)
        {
            return (null!, null!, ApiResults.Error(StatusCodes.Status401Unauthorized, "ERR_AUTH_REQUIRED", "Authentication required"));
        }

        var (document, readError) = await ReadObjectAsync(context, maxBytes, tooLargeCode);
        if (document is null)
        {
            return (caller, null!, readError);
        }

        using (document)
        {
            var (request, parseError) = parse(document.RootElement);
            return (caller, request!, request is null ? parseError : null);
        }
    }

    public static async Task<(JsonDocument? Document, IResult? Error)> ReadObjectAsync(HttpContext context, long maxBytes, string tooLargeCode)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes, tooLargeCode));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(maxBytes, tooLargeCode));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return (document, null);
            }

            document.Dispose();
            return (null, ApiResults.BadRequest("ERR_INVALID_JSON", "The request body must be a JSON object."));
        }
        catch (JsonException)
        {
            return (null, ApiResults.BadRequest("ERR_INVALID_JSON", "The request body is not valid JSON."));
        }
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ApiError> TooLarge(long maxBytes, string code) =>
        ApiResults.Error(StatusCodes.Status413PayloadTooLarge, code, $"The request is larger than the limit of {maxBytes} bytes.");
}
