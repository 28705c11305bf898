using System.Diagnostics.Metrics;

namespace PeerServ.Relay;

/// <summary>Meter "PeerServ.Relay": messages sent (per recipient), listed and acknowledged; lists waiting; events published and consumed; live connections, deliveries and refusals; FCM pushes.</summary>
public static class RelayMetrics
{
    public const string MeterName = "PeerServ.Relay";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Sent = Meter.CreateCounter<long>("peerserv.messages.sent", description: "Messages stored, one per recipient");
    private static readonly Counter<long> Listed = Meter.CreateCounter<long>("peerserv.messages.listed", description: "Messages returned by lists");
    private static readonly Counter<long> Acknowledged = Meter.CreateCounter<long>("peerserv.messages.acknowledged", description: "Messages deleted by acknowledgements");
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("peerserv.events.published", description: "Events published, by type");
    private static readonly Counter<long> Consumed = Meter.CreateCounter<long>("peerserv.events.consumed", description: "Events consumed, by type");
    private static readonly UpDownCounter<int> Waiting = Meter.CreateUpDownCounter<int>("peerserv.lists.waiting", description: "Long-polling lists waiting on this process");

    private static readonly UpDownCounter<int> LiveConnections = Meter.CreateUpDownCounter<int>("peerserv.live.connections", description: "Authenticated live connections held by this process");
    private static readonly Counter<long> LiveDelivered = Meter.CreateCounter<long>("peerserv.live.delivered", description: "Messages pushed to live connections, one per connection");
    private static readonly Counter<long> Pushes = Meter.CreateCounter<long>("peerserv.push.sent", description: "FCM pushes attempted, one per device, by outcome");
    private static readonly Counter<long> LiveRefused = Meter.CreateCounter<long>("peerserv.live.refused", description: "Live connections disconnected for breaking the protocol or a limit");

    public static void MessagesSent(int count) => Sent.Add(count);

    public static void LiveConnection(int delta) => LiveConnections.Add(delta);

    public static void LiveDelivery(int count) => LiveDelivered.Add(count);

    public static void LiveRefusal() => LiveRefused.Add(1);

    public static void PushSent(string outcome) => Pushes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public static void MessagesListed(int count) => Listed.Add(count);

    public static void MessagesAcknowledged(int count) => Acknowledged.Add(count);

    public static void EventsPublished(string type, int count) => Published.Add(count, new KeyValuePair<string, object?>("type", type));

    public static void ListWaiting(int delta) => Waiting.Add(delta);

    public static void EventConsumed(string type) => Consumed.Add(1, new KeyValuePair<string, object?>("type", type));
}
