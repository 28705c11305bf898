using Microsoft.Extensions.Options;
using PeerServ.Auth.Crypto;
using PeerServ.Ingest.Apis;
using PeerServ.Live.Live;
using PeerServ.Relay;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.Standalone;

/// <summary>The standalone host's socket send: the body parsed as /sendMessage parses it, then ingest's own pipeline, in process.</summary>
internal sealed class InProcessSendPipeline(MessageIngest ingest, IOptions<RelayOptions> options) : ILiveSendPipeline
{
    public async Task<LiveSendOutcome> SendAsync(PublicKey sender, string requestNonce, byte[] requestJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(requestJson);
        var parsed = RelayCall<SendMessageRequest>.ParseBody(requestJson, options.Value);
        var outcome = parsed.Succeeded ? await ingest.SendAsync(sender.Hex, requestNonce, parsed.Value!, cancellationToken) : new SendOutcome(null, parsed.Error);
        if (outcome.Error is { } error)
        {
            return LiveSendOutcome.Failed(error.Status, error.Code, error.Description);
        }

        var deliveries = outcome.Response!.Results;
        return LiveSendOutcome.Sent(deliveries[0].MessageId);
    }
}
