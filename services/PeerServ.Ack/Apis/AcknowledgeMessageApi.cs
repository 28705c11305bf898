using MassTransit;
using Microsoft.Extensions.Options;
using PeerServ.Ack.Features;
using PeerServ.Auth.Server;
using PeerServ.Contracts;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.Ack.Apis;

public static partial class AcknowledgeMessageApi
{
    public static IEndpointRouteBuilder MapAcknowledgeMessageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/acknowledgeMessage", AcknowledgeAsync).WithName("AcknowledgeMessage");
        return endpoints;
    }

    /// <summary>Deletes the caller's messages with these ids (any box, never anyone else's), then announces MessagesAcknowledged.</summary>
    private static async Task<IResult> AcknowledgeAsync(
        HttpContext context,
        IMessageStore store,
        IBus bus,
        IOptions<RelayOptions> relayOptions,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var (caller, ids, error) = await JsonRequest.ReadAuthenticatedAsync(context, 1 << 20, "ERR_REQUEST_TOO_LARGE",
            root => AcknowledgeRequest.Parse(root, relayOptions.Value));
        if (error is not null)
        {
            return error;
        }

        var logger = loggers.CreateLogger(nameof(AcknowledgeMessageApi));
        IReadOnlyList<string> deleted;
        try
        {
            deleted = await store.AcknowledgeAsync(caller.IdentityKey.Hex, ids, context.RequestAborted);
        }
        catch (StoreUnavailableException ex)
        {
            LogStoreUnavailable(logger, ex.Message);
            return ApiResults.Unavailable(context, "The message store is unavailable; nothing was acknowledged. Retry the request.");
        }

        if (deleted.Count == 0)
        {
            return ApiResults.BadRequest("ERR_INVALID_ACKNOWLEDGMENT", "Message not found!");
        }

        RelayMetrics.MessagesAcknowledged(deleted.Count);
        // A notification, not part of the answer: published in the background, never delaying or failing the acknowledgement.
        _ = PublishAsync(bus, new MessagesAcknowledged(caller.IdentityKey.Hex, deleted, time.GetUtcNow()), logger);
        return TypedResults.Json(new AcknowledgeResponse(deleted.Count), ApiResults.Json);
    }

    private static async Task PublishAsync(IBus bus, MessagesAcknowledged acknowledged, ILogger logger)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await bus.Publish(acknowledged, timeout.Token);
            RelayMetrics.EventsPublished(nameof(MessagesAcknowledged), 1);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPublishFailed(logger, ex, acknowledged.MessageIds.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable for an acknowledgement: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} acknowledged message(s) but could not publish MessagesAcknowledged")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);
}

internal sealed record AcknowledgeResponse(int Acknowledged)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status { get; } = "success";
}
