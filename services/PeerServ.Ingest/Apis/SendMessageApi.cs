using PeerServ.Relay;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.Ingest.Apis;

public static class SendMessageApi
{
    public static IEndpointRouteBuilder MapSendMessageApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelay(RelayApi.SendMessage, SendAsync);
        return endpoints;
    }

    /// <summary>Stores durably (all recipients or none), hands MessageSent to the outbox; 200 only after the write.</summary>
    private static async Task<IResult> SendAsync(RelayCall<SendMessageRequest> call, MessageIngest ingest, CancellationToken aborted)
    {
        var outcome = await ingest.SendAsync(call.CallerKey, call.Caller.RequestNonce, call.Request, aborted);
        return outcome.Error is { } error ? error.ToResult() : TypedResults.Json(outcome.Response, RelayJson.Options);
    }
}
