using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeerServ.Permissions.Push;

/// <summary>What became of one push to one device.</summary>
internal enum PushOutcome
{
    /// <summary>FCM accepted it.</summary>
    Delivered,

    /// <summary>FCM says the token is dead or not ours (UNREGISTERED, INVALID_ARGUMENT, SENDER_ID_MISMATCH): stop using it.</summary>
    TokenRejected,

    /// <summary>Anything else, after the retries (FCM down, quota, our credentials refused): the token stays active.</summary>
    Failed,
}

/// <summary>
/// The FCM HTTP v1 call (POST v1/projects/{project}/messages:send) on a typed HttpClient whose resilience handler retries
/// 429, 5xx, timeouts and network errors. The notification names the message, never its content or sender: "New
/// Message" with the message id as its body, as the reference server sends it.
/// </summary>
internal sealed class FcmClient(HttpClient http, FcmCredentials credentials)
{
    public const string Title = "New Message";

    public async Task<(PushOutcome Outcome, string Detail)> SendAsync(string deviceToken, string messageId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/projects/{Uri.EscapeDataString(credentials.ProjectId)}/messages:send")
        {
            Content = JsonContent.Create(FcmSendRequest.For(deviceToken, messageId)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await credentials.AccessTokenAsync(cancellationToken));
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return (PushOutcome.Delivered, "accepted");
        }

        var code = await ErrorCodeAsync(response, cancellationToken);
        var rejected = response.StatusCode == HttpStatusCode.NotFound || code is "UNREGISTERED" or "INVALID_ARGUMENT" or "SENDER_ID_MISMATCH";
        return (rejected ? PushOutcome.TokenRejected : PushOutcome.Failed, $"{(int)response.StatusCode} {code}");
    }

    /// <summary>FCM's error code (details[].errorCode, else error.status), or "" when the answer is not FCM's error JSON.</summary>
    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<FcmErrorResponse>(cancellationToken);
            return body?.Error?.Details?.Select(d => d.ErrorCode).FirstOrDefault(c => !string.IsNullOrEmpty(c)) ?? body?.Error?.Status ?? "";
        }
        catch (JsonException)
        {
            return "";
        }
        catch (NotSupportedException)
        {
            return "";
        }
    }
}

internal sealed record FcmSendRequest([property: JsonPropertyName("message")] FcmMessage Message)
{
    public static FcmSendRequest For(string deviceToken, string messageId) => new(new FcmMessage(
        deviceToken,
        new FcmNotification(FcmClient.Title, messageId),
        new FcmAndroid("high", new Dictionary<string, string> { ["messageId"] = messageId, ["originator"] = "unknown" }),
        new FcmApns(new FcmApnsPayload(new FcmAps(1), messageId, "unknown"))));
}

internal sealed record FcmMessage(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("notification")] FcmNotification Notification,
    [property: JsonPropertyName("android")] FcmAndroid Android,
    [property: JsonPropertyName("apns")] FcmApns Apns);

internal sealed record FcmNotification([property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("body")] string Body);

internal sealed record FcmAndroid([property: JsonPropertyName("priority")] string Priority, [property: JsonPropertyName("data")] IReadOnlyDictionary<string, string> Data);

internal sealed record FcmApns([property: JsonPropertyName("payload")] FcmApnsPayload Payload);

internal sealed record FcmApnsPayload(
    [property: JsonPropertyName("aps")] FcmAps Aps,
    [property: JsonPropertyName("messageId")] string MessageId,
    [property: JsonPropertyName("originator")] string Originator);

internal sealed record FcmAps([property: JsonPropertyName("mutable-content")] int MutableContent);

internal sealed record FcmErrorResponse([property: JsonPropertyName("error")] FcmError? Error);

internal sealed record FcmError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("details")] IReadOnlyList<FcmErrorDetail>? Details);

internal sealed record FcmErrorDetail([property: JsonPropertyName("errorCode")] string? ErrorCode);
