using MassTransit;
using PeerServ.Contracts;
using PeerServ.Relay;

namespace PeerServ.MailboxQuery.Events;

/// <summary>
/// Wakes lists waiting on this replica. Every replica must see every MessageSent, so this consumer runs on a
/// temporary, per-instance endpoint (fan-out), not on a shared work queue. Running twice is harmless.
/// </summary>
public sealed class MessageSentConsumer(MailboxSignals signals) : IConsumer<MessageSent>
{
    public Task Consume(ConsumeContext<MessageSent> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        signals.Notify(context.Message.Recipient, context.Message.MessageBox);
        RelayMetrics.EventConsumed(nameof(MessageSent));
        return Task.CompletedTask;
    }
}
