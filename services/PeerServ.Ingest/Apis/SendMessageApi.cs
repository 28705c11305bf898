using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PeerServ.Ingest.Events;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;
using PeerServ.Storage;

namespace PeerServ.Ingest.Apis;

public static class SendMessageApi
{
    public static IEndpointRouteBuilder MapSendMessageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelay(RelayApi.SendMessage, SendAsync);
        return endpoints;
    }

    /// <summary>Stores durably (all recipients or none), hands MessageSent to the outbox; 200 only after the write.</summary>
    private static async Task<IResult> SendAsync(
        RelayCall<SendMessageRequest> call, IMessageStore store, MessageSentOutbox outbox, IOptions<RelayOptions> options, TimeProvider time, CancellationToken aborted)
    {
        var message = call.Request.ToMessage(call.CallerKey, call.Caller.RequestNonce, time.GetUtcNow(), options.Value.Retention);
        var result = await store.InsertAsync(message, StoreQuotas.From(options.Value), aborted);
        if (result.Conflicting is { } taken)
        {
            return RelayErrors.DuplicateMessage.With($"You already sent a different message with id '{taken.MessageId}' to {taken.Recipient}; nothing was stored.").ToResult();
        }

        if (result.Exceeded is { } quota)
        {
            return QuotaError(quota).ToResult();
        }

        RelayMetrics.MessagesSent(message.Deliveries.Count);
        outbox.Enqueue(message);
        var deliveries = message.Deliveries;
        JsonNode messageId = deliveries.Count == 1 ? JsonValue.Create(deliveries[0].MessageId) : new JsonArray([.. deliveries.Select(d => JsonValue.Create(d.MessageId))]);
        return TypedResults.Json(
            new SendMessageResponse($"Your message has been sent to {deliveries.Count} recipient(s).", messageId, [.. deliveries.Select(d => new SendResult(d.Recipient, d.MessageId))]),
            RelayJson.Options);
    }

    private static RelayError QuotaError(QuotaExceeded quota) => RelayErrors.QuotaExceeded.With(quota.Quota switch
    {
        QuotaExceeded.RecipientMessages => $"Recipient {quota.Recipient} holds the most messages allowed ({quota.Limit}) until it acknowledges some; nothing was stored.",
        QuotaExceeded.RecipientBytes => $"This message would take recipient {quota.Recipient} past the {quota.Limit} bytes it may hold until it acknowledges some; nothing was stored.",
        _ => $"This send would take you past the {quota.Limit} bytes you may send per quota window (counted once per recipient); nothing was stored.",
    } + $" (quota: {quota.Quota})");
}
