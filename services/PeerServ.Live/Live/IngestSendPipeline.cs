using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using PeerServ.Relay.Errors;

namespace PeerServ.Live.Live;

/// <summary>
/// The distributed stack's socket send: ingest's own /sendMessage over HTTP, carrying the gateway's identity assertion
/// for the socket's verified key (and the BRC-103 message nonce as the request nonce), so ingest runs exactly the
/// pipeline an HTTP send gets. A timeout or an unreachable ingest is a 503, which the client answers by sending over HTTP.
/// </summary>
internal sealed class IngestSendPipeline(HttpClient http, GatewayAssertion assertion, IOptions<LiveOptions> options) : ILiveSendPipeline
{
    private const string SendPath = "/sendMessage";

    public async Task<LiveSendOutcome> SendAsync(PublicKey sender, string requestNonce, byte[] requestJson, CancellationToken cancellationToken)
    {
        var identity = new PeerIdentity(sender, AuthProtocol.Brc104) { RequestNonce = requestNonce };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.IngestUrl!), SendPath)) { Content = new ByteArrayContent(requestJson) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        assertion.Apply(request.Headers, identity, "POST", SendPath, requestJson);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return Outcome((int)response.StatusCode, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return LiveSendOutcome.Failed(503, RelayErrors.ServiceUnavailable.Code, "The relay could not store the message just now; send it again.");
        }
    }

    /// <summary>Ingest's answer as an outcome: the message id of a 200, else the error it named.</summary>
    internal static LiveSendOutcome Outcome(int status, byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (status == 200 && root.TryGetProperty("messageId", out var id))
            {
                return LiveSendOutcome.Sent(id.ValueKind == JsonValueKind.Array ? id[0].GetString()! : id.GetString()!);
            }

            if (root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
            {
                return LiveSendOutcome.Failed(status, code.GetString()!, root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "");
            }
        }
        catch (JsonException)
        {
        }

        return LiveSendOutcome.Failed(status == 200 ? 502 : status, RelayErrors.ServiceUnavailable.Code, "The relay gave an answer this service could not read; send the message again.");
    }
}
