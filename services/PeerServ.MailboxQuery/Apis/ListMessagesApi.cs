using Microsoft.Extensions.Options;
using PeerServ.MailboxQuery.Events;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;
using PeerServ.Storage;

namespace PeerServ.MailboxQuery.Apis;

public static class ListMessagesApi
{
    /// <summary>What a listed message costs in the answer besides its body: ids, sender key, four timestamps, field names.</summary>
    private const int ListedMessageOverheadBytes = 400;

    public static IEndpointRouteBuilder MapListMessagesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelay(RelayApi.ListMessages, ListAsync);
        return endpoints;
    }

    /// <summary>The caller's messages in one box, oldest first; with waitSeconds, an empty box waits for the next message.</summary>
    private static async Task<IResult> ListAsync(
        RelayCall<ListMessagesRequest> call, IMessageStore store, MailboxSignals signals, IOptions<RelayOptions> relayOptions, TimeProvider time, CancellationToken aborted)
    {
        var (request, options, recipient) = (call.Request, relayOptions.Value, call.CallerKey);
        // The response byte budget is applied inside the store, so that no body beyond it is ever read.
        var query = new ListQuery(recipient, request.MessageBox, request.Offset, request.Limit, time.GetUtcNow(), options.ListMaxResponseBytes, ListedMessageOverheadBytes);
        var page = await store.ListAsync(query, aborted);
        if (page.Messages.Count == 0 && !page.HasMore && request.WaitSeconds > 0 && request.Offset == 0
            && signals.TryEnter(recipient, options.MaxWaiters, options.MaxWaitersPerIdentity))
        {
            try
            {
                page = await WaitForMessageAsync(store, signals, query, request.WaitSeconds, time, aborted);
            }
            finally
            {
                signals.Exit(recipient);
            }
        }

        if (page.OldestTooLarge)
        {
            return RelayErrors.ResponseTooLarge.With($"The oldest message alone exceeds the response limit of {options.ListMaxResponseBytes} bytes.").ToResult();
        }

        RelayMetrics.MessagesListed(page.Messages.Count);
        var items = page.Messages.Select(m => ListedMessage.Create(m.MessageId, m.Body, m.Sender, m.CreatedAt)).ToList();
        return TypedResults.Json(
            new ListMessagesResponse(items, request.Limit, request.Offset, page.HasMore, page.HasMore ? request.Offset + items.Count : null),
            RelayJson.Options);
    }

    private static async Task<MessagePage> WaitForMessageAsync(IMessageStore store, MailboxSignals signals, ListQuery query, int waitSeconds, TimeProvider time, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(waitSeconds));
        var page = new MessagePage([], false);
        while (!deadline.IsCancellationRequested)
        {
            using var signal = signals.Subscribe(query.Recipient, query.MessageBox);
            page = await store.ListAsync(query with { Now = time.GetUtcNow() }, aborted);
            if (page.Messages.Count > 0 || page.HasMore)
            {
                return page;
            }

            // The deadline ends the wait, not the request: an empty page is the answer then.
            await signal.Task.WaitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        aborted.ThrowIfCancellationRequested();
        return page;
    }
}
