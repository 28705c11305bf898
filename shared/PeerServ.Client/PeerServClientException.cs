using System.Net;

namespace PeerServ.Client;

/// <summary>
/// The relay refused a call: its HTTP status, its error code (ERR_…) and description, as signed in its answer. Also
/// thrown when authentication fails (<see cref="AuthenticationFailed"/>) and, with <see cref="Code"/> null, when the
/// answer is not the relay's JSON at all.
/// </summary>
public sealed class PeerServClientException : Exception
{
    public PeerServClientException(HttpStatusCode status, string? code, string message)
        : base(message)
    {
        Status = status;
        Code = code;
    }

    public PeerServClientException(HttpStatusCode status, string? code, string message, Exception inner)
        : base(message, inner)
    {
        Status = status;
        Code = code;
    }

    public PeerServClientException()
    {
    }

    public PeerServClientException(string message)
        : base(message)
    {
    }

    public PeerServClientException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public HttpStatusCode Status { get; }

    /// <summary>The relay's error code, e.g. ERR_DELIVERY_BLOCKED; null when the answer carried none.</summary>
    public string? Code { get; }

    /// <summary>Whether the call failed authentication (refused by the relay, or its answer did not verify: a pinned key not proven, say).</summary>
    public bool AuthenticationFailed => InnerException is Auth.Client.PeerServAuthException;
}
