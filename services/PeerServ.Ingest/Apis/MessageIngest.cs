using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PeerServ.Ingest.Events;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.Storage;

namespace PeerServ.Ingest.Apis;

/// <summary>What a send came to: the response of a stored message, or the error it is refused with.</summary>
public sealed record SendOutcome(SendMessageResponse? Response, RelayError? Error);

/// <summary>
/// The one send pipeline, whatever carried the request (HTTP /sendMessage, or a live socket in the standalone host):
/// checks every recipient's permission (a blocked or payable recipient refuses the whole send), stores durably (all
/// recipients or none, within the quotas) and hands MessageSent to the outbox.
/// </summary>
public sealed class MessageIngest(IMessageStore store, RecipientFees fees, MessageSentOutbox outbox, IOptions<RelayOptions> options, TimeProvider time)
{
    public async Task<SendOutcome> SendAsync(string sender, string requestNonce, SendMessageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await PermissionErrorAsync(sender, request, cancellationToken) is { } refused)
        {
            return new(null, refused);
        }
        var message = request.ToMessage(sender, requestNonce, time.GetUtcNow(), options.Value.Retention);
        var result = await store.InsertAsync(message, StoreQuotas.From(options.Value), cancellationToken);
        if (result.Conflicting is { } taken)
        {
            return new(null, RelayErrors.DuplicateMessage.With($"You already sent a different message with id '{taken.MessageId}' to {taken.Recipient}; nothing was stored."));
        }

        if (result.Exceeded is { } quota)
        {
            return new(null, QuotaError(quota));
        }

        RelayMetrics.MessagesSent(message.Deliveries.Count);
        outbox.Enqueue(message);
        var deliveries = message.Deliveries;
        JsonNode messageId = deliveries.Count == 1 ? JsonValue.Create(deliveries[0].MessageId) : new JsonArray([.. deliveries.Select(d => JsonValue.Create(d.MessageId))]);
        return new(new SendMessageResponse($"Your message has been sent to {deliveries.Count} recipient(s).", messageId, [.. deliveries.Select(d => new SendResult(d.Recipient, d.MessageId))]), null);
    }

    /// <summary>Why the recipients' rules refuse this send, or null; a store failure throws (a 503), so nothing blocked ever gets through.</summary>
    private async Task<RelayError?> PermissionErrorAsync(string sender, SendMessageRequest request, CancellationToken cancellationToken)
    {
        var charged = await fees.LookUpAsync(sender, request.MessageBox, request.Recipients, cancellationToken);
        if (charged.Where(f => f.Blocked).Select(f => f.Recipient).ToList() is { Count: > 0 } blocked)
        {
            return RelayErrors.DeliveryBlocked.With($"Blocked recipients: {string.Join(", ", blocked)}. Nothing was stored for any recipient.");
        }

        if (charged.Where(f => f.Fee > 0).ToList() is { Count: > 0 } payable)
        {
            var named = string.Join(", ", payable.Select(f => $"{f.Recipient} ({f.Fee} satoshis)"));
            return request.HasPayment
                ? RelayErrors.PaymentsUnsupported.With($"Recipients charging a fee for '{request.MessageBox}': {named}. This relay does not accept payments yet; nothing was stored.")
                : RelayErrors.MissingPaymentTx.With($"Recipients charging a fee for '{request.MessageBox}': {named}. Payment transaction data is required; nothing was stored.");
        }

        return null;
    }

    private static RelayError QuotaError(QuotaExceeded quota) => RelayErrors.QuotaExceeded.With(quota.Quota switch
    {
        QuotaExceeded.RecipientMessages => $"Recipient {quota.Recipient} holds the most messages allowed ({quota.Limit}) until it acknowledges some; nothing was stored.",
        QuotaExceeded.RecipientBytes => $"This message would take recipient {quota.Recipient} past the {quota.Limit} bytes it may hold until it acknowledges some; nothing was stored.",
        _ => $"This send would take you past the {quota.Limit} bytes you may send per quota window (counted once per recipient); nothing was stored.",
    } + $" (quota: {quota.Quota})");
}
