using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PeerServ.ServiceDefaults;

/// <summary>The relay's JSON shapes: {"status":"success",…} and {"status":"error","code":"ERR_…","description":"…"}.</summary>
public static class ApiResults
{
    /// <summary>JavaScript-like escaping: message bodies keep their characters instead of \u escapes.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonHttpResult<ApiError> Error(int status, string code, string description) =>
        TypedResults.Json(new ApiError(code, description), Json, statusCode: status);

    public static JsonHttpResult<ApiError> BadRequest(string code, string description) => Error(StatusCodes.Status400BadRequest, code, description);

    /// <summary>503 for a store or broker that is down: the request may be retried.</summary>
    public static JsonHttpResult<ApiError> Unavailable(HttpContext context, string description)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = "1";
        return Error(StatusCodes.Status503ServiceUnavailable, "ERR_SERVICE_UNAVAILABLE", description);
    }
}

public sealed record ApiError(string Code, string Description)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status { get; } = "error";
}
