namespace PeerServ.Contracts;

/// <summary>
/// <paramref name="Recipient"/> acknowledged (deleted) these messages. The hook for live delivery: other sessions
/// or devices of the same recipient drop them from whatever they show.
/// </summary>
public sealed record MessagesAcknowledged(
    string Recipient,
    IReadOnlyList<string> MessageIds,
    DateTimeOffset AcknowledgedAt);
