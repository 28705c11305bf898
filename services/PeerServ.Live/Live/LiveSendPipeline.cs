using PeerServ.Auth.Crypto;

namespace PeerServ.Live.Live;

/// <summary>
/// Where a socket send goes: ingest's /sendMessage pipeline (validation, quotas, storage, the MessageSent outbox),
/// for the socket's verified identity. Over HTTP with the gateway's assertion in the distributed stack; in process
/// in the standalone host. Never a copy of that pipeline.
/// </summary>
public interface ILiveSendPipeline
{
    /// <summary>Sends <paramref name="requestJson"/> (a /sendMessage body) as <paramref name="sender"/>; the outcome as ingest answered it.</summary>
    Task<LiveSendOutcome> SendAsync(PublicKey sender, string requestNonce, byte[] requestJson, CancellationToken cancellationToken);
}

/// <summary>What a send came to: 200 with the message id, or the relay's error (status, code, description).</summary>
public sealed record LiveSendOutcome(int Status, string? MessageId, string? Code, string? Description)
{
    public bool Succeeded => Status == 200;

    public static LiveSendOutcome Sent(string messageId) => new(200, messageId, null, null);

    public static LiveSendOutcome Failed(int status, string code, string description) => new(status, null, code, description);
}
