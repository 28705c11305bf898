using MassTransit;
using PeerServ.Contracts;
using PeerServ.Relay;
using PeerServ.Relay.Wire;
using PeerServ.Storage;

namespace PeerServ.Live.Live;

/// <summary>
/// Pushes every stored message to the recipient's live connections on this replica, whichever way it was sent (HTTP
/// or socket, through any ingest replica). Runs on a temporary per-instance endpoint, so every live replica sees
/// every MessageSent; a replica holding none of the recipient's connections stops at the lookup. The body is read
/// from the store (the event carries none); a message already acknowledged or expired is not pushed. At least once:
/// a connection is sent each (sender, id) once.
/// </summary>
internal sealed class LiveDeliveryConsumer(LiveHub hub, IMessageStore store, TimeProvider time) : IConsumer<MessageSent>
{
    public async Task Consume(ConsumeContext<MessageSent> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sent = context.Message;
        RelayMetrics.EventConsumed(nameof(MessageSent));
        var connections = hub.For(sent.Recipient);
        if (connections.Length == 0 || !connections.Any(c => c.IsSubscribed(sent.MessageBox)))
        {
            return;
        }

        var message = await store.GetAsync(sent.Recipient, sent.MessageId, sent.Sender, time.GetUtcNow(), context.CancellationToken);
        if (message is null)
        {
            return;
        }

        var listed = ListedMessage.Create(message.MessageId, message.Body, message.Sender, message.CreatedAt);
        var data = new LiveMessage(listed.Sender, listed.MessageId, listed.Body, message.MessageBox, listed.CreatedAt, listed.UpdatedAt, listed.CreatedAtPeerServ, listed.UpdatedAtPeerServ);
        var eventName = LiveEvents.Delivery(sent.Recipient, sent.MessageBox);
        var delivered = 0;
        foreach (var connection in connections)
        {
            if (connection.IsSubscribed(sent.MessageBox) && connection.FirstDelivery(message.Sender, message.MessageId) && connection.Emit(eventName, data))
            {
                delivered++;
            }
        }

        RelayMetrics.LiveDelivery(delivered);
    }
}

/// <summary>
/// A live delivery's data: what the client reads (sender, body) and the rest of a listed message, so a live
/// message and a listed one look alike. The body is the body as sent.
/// </summary>
internal sealed record LiveMessage(
    string Sender,
    string MessageId,
    string Body,
    string MessageBox,
    string CreatedAt,
    string UpdatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("created_at")] string CreatedAtPeerServ,
    [property: System.Text.Json.Serialization.JsonPropertyName("updated_at")] string UpdatedAtPeerServ);
