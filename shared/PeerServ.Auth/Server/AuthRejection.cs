using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>A request rejected by the auth layer: a catalogue error with a description safe to show the client.</summary>
internal sealed class AuthRejection(RelayError error, string description) : Exception(description)
{
    public RelayError Error { get; } = error.With(description);
}
