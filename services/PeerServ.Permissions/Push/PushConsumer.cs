using MassTransit;
using Microsoft.Extensions.Options;
using PeerServ.Contracts;
using PeerServ.Relay;
using PeerServ.Storage;

namespace PeerServ.Permissions.Push;

/// <summary>
/// Pushes a new message in a push box to the recipient's active devices. Work for exactly one replica: it runs on the
/// service's shared, durable queue (each event goes to one consumer), and the store's push claim makes a redelivered
/// or republished MessageSent (the outbox publishes at least once) push nothing twice. Claimed before sending, so a
/// push goes out at most once: a crash between the claim and the FCM call loses that push, never the message, which
/// the recipient still lists. A message acknowledged before its event is consumed is not pushed.
/// </summary>
internal sealed partial class PushConsumer(
    IOptions<PushOptions> options, IMessageStore messages, IDeviceStore devices, FcmClient fcm, TimeProvider time, ILogger<PushConsumer> logger)
    : IConsumer<MessageSent>
{
    public async Task Consume(ConsumeContext<MessageSent> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sent = context.Message;
        var aborted = context.CancellationToken;
        RelayMetrics.EventConsumed(nameof(MessageSent));
        if (!options.Value.PushesTo(sent.MessageBox))
        {
            return;
        }

        var targets = (await devices.ListAsync(sent.Recipient, aborted)).Where(d => d.Active).ToList();
        if (targets.Count == 0 || !await messages.ClaimPushAsync(sent.Recipient, sent.MessageId, sent.Sender, aborted))
        {
            return;
        }

        var results = new List<(RegisteredDevice Device, PushOutcome Outcome)>(targets.Count);
        foreach (var device in targets)
        {
            var (outcome, detail) = await SendAsync(device, sent.MessageId, aborted);
            RelayMetrics.PushSent(outcome.ToString());
            if (outcome != PushOutcome.Delivered)
            {
                LogNotDelivered(logger, device.Id, outcome, detail);
            }

            results.Add((device, outcome));
        }

        // Bookkeeping after every send: a store failure here retries the event, which the claim then stops.
        var now = time.GetUtcNow();
        foreach (var (device, outcome) in results.Where(r => r.Outcome != PushOutcome.Failed))
        {
            await devices.RecordPushAsync(device.Identity, device.FcmToken, outcome == PushOutcome.Delivered, now, aborted);
        }
    }

    private async Task<(PushOutcome, string)> SendAsync(RegisteredDevice device, string messageId, CancellationToken aborted)
    {
        try
        {
            return await fcm.SendAsync(device.FcmToken, messageId, aborted);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                  || (e is OperationCanceledException && !aborted.IsCancellationRequested))
        {
            return (PushOutcome.Failed, e.GetType().Name);
        }
    }

    // The device's number, never its token (a token is enough to push to the device).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Push to device {DeviceId} not delivered: {Outcome} ({Detail})")]
    private static partial void LogNotDelivered(ILogger logger, long deviceId, PushOutcome outcome, string detail);
}

/// <summary>Store outages while claiming or recording: retried with backoff before the event is faulted.</summary>
internal sealed class PushConsumerDefinition : ConsumerDefinition<PushConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<PushConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)));
    }
}
