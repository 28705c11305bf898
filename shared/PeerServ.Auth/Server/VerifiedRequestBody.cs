namespace PeerServ.Auth.Server;

/// <summary>
/// The exact body bytes a request was verified over, as a request feature for what runs inside the auth middleware (the
/// gateway's assertion covers their hash). Valid only while the request is being handled.
/// </summary>
public sealed class VerifiedRequestBody(ReadOnlyMemory<byte> bytes)
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}
