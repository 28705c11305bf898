using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>A request rejected by the auth layer: a catalogue error with a description safe to show the client.</summary>
internal sealed class AuthRejection(RelayError error, string description) : Exception(description)
{
    public RelayError Error { get; } = error.With(description);

    /// <summary>A client's value as an error description may quote it: at most 24 characters, printable ones only.</summary>
    public static string Echo(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var shown = new string([.. value.Take(24).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length > 24 ? $"'{shown}…' ({value.Length} characters)" : $"'{shown}'";
    }
}
