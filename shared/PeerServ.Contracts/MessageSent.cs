namespace PeerServ.Contracts;

/// <summary>A message is durable in <paramref name="Recipient"/>'s box (one event per recipient of a send).</summary>
public sealed record MessageSent(
    string Recipient,
    string MessageBox,
    string MessageId,
    string Sender,
    DateTimeOffset CreatedAt,
    int BodyLength);
