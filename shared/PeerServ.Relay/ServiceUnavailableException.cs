namespace PeerServ.Relay;

/// <summary>
/// Something the relay depends on (the store, the broker) could not be reached or did not answer in time. Every host's
/// exception handler answers it with 503 ERR_SERVICE_UNAVAILABLE and Retry-After: the request may be retried.
/// </summary>
public class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException()
    {
    }

    public ServiceUnavailableException(string message)
        : base(message)
    {
    }

    public ServiceUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
