using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;
using PeerServ.Ingest.Features;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Ingest.Apis;

public static partial class SendMessageApi
{
    public static IEndpointRouteBuilder MapSendMessageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/sendMessage", SendAsync).WithName("SendMessage");
        return endpoints;
    }

    /// <summary>Validates, stores durably (all recipients or none), hands MessageSent to the outbox; 200 only after the write.</summary>
    private static async Task<IResult> SendAsync(
        HttpContext context,
        IMessageStore store,
        MessageSentOutbox outbox,
        IOptions<RelayOptions> relayOptions,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var options = relayOptions.Value;
        var (caller, request, error) = await JsonRequest.ReadAuthenticatedAsync(context, options.MaxRequestBytes, "ERR_MESSAGE_BODY_TOO_LARGE",
            root => SendMessageRequest.Parse(root, options));
        if (error is not null)
        {
            return error;
        }

        var ids = request.MessageIds ?? [.. request.Recipients.Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))];
        var deliveries = request.Recipients.Zip(ids, (recipient, id) => new Delivery(recipient, id)).ToList();
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var message = new NewMessage(caller.IdentityKey.Hex, request.MessageBox, request.Body, deliveries, now, now + options.Retention);
        InsertResult result;
        try
        {
            result = await store.InsertAsync(message, context.RequestAborted);
        }
        catch (StoreUnavailableException ex)
        {
            LogStoreUnavailable(loggers.CreateLogger(nameof(SendMessageApi)), ex.Message);
            return ApiResults.Unavailable(context, "The message store is unavailable; nothing was stored. Retry the same request.");
        }

        if (result.Outcome == InsertOutcome.Conflict)
        {
            return ApiResults.BadRequest("ERR_DUPLICATE_MESSAGE",
                $"A different message with id '{result.Conflicting!.MessageId}' was already sent to {result.Conflicting.Recipient}; nothing was stored.");
        }

        RelayMetrics.MessagesSent(deliveries.Count);
        outbox.Enqueue(message);
        return TypedResults.Json(new SendMessageResponse(
            $"Your message has been sent to {deliveries.Count} recipient(s).",
            deliveries.Count == 1 ? deliveries[0].MessageId : ids,
            [.. deliveries.Select(d => new SendResult(d.Recipient, d.MessageId))]), ApiResults.Json);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable for a send: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);
}

internal sealed record SendMessageResponse(string Message, object MessageId, IReadOnlyList<SendResult> Results)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status { get; } = "success";
}

internal sealed record SendResult(string Recipient, string MessageId);
