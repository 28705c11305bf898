using System.ComponentModel;

namespace PeerServ.Relay.Wire;

public sealed record AcknowledgeMessageBody([property: Description("1–1000 message ids (numbers are read as their decimal text).")] IReadOnlyList<string> MessageIds);

public sealed record AcknowledgeMessageResponse(int Acknowledged) : RelaySuccess;
