using PeerServ.Contracts;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;
using PeerServ.ServiceDefaults.Messaging;
using PeerServ.Storage;

namespace PeerServ.Ack.Apis;

public static partial class AcknowledgeMessageApi
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    public static IEndpointRouteBuilder MapAcknowledgeMessageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelay(RelayApi.AcknowledgeMessage, AcknowledgeAsync);
        return endpoints;
    }

    /// <summary>Deletes the caller's messages with these ids (any box, never anyone else's), then announces MessagesAcknowledged.</summary>
    private static async Task<IResult> AcknowledgeAsync(
        RelayCall<AcknowledgeMessageRequest> call, IMessageStore store, IRelayEvents events, TimeProvider time, ILogger<AcknowledgeMessageRequest> logger, CancellationToken aborted)
    {
        var deleted = await store.AcknowledgeAsync(call.CallerKey, call.Request.MessageIds, aborted);
        if (deleted.Count == 0)
        {
            return RelayErrors.InvalidAcknowledgment.ToResult();
        }

        RelayMetrics.MessagesAcknowledged(deleted.Count);
        // A notification, not part of the answer: published in the background, never delaying or failing the acknowledgement.
        _ = PublishAsync(events, new MessagesAcknowledged(call.CallerKey, deleted, time.GetUtcNow()), logger);
        return TypedResults.Json(new AcknowledgeMessageResponse(deleted.Count), RelayJson.Options);
    }

    private static async Task PublishAsync(IRelayEvents events, MessagesAcknowledged acknowledged, ILogger logger)
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        try
        {
            await events.PublishAsync(acknowledged, timeout.Token);
            RelayMetrics.EventsPublished(nameof(MessagesAcknowledged), 1);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPublishFailed(logger, ex, acknowledged.MessageIds.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleted {Count} acknowledged message(s) but could not publish MessagesAcknowledged")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count);
}
