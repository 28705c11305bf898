using System.Text;
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
        var page = await store.ListAsync(recipient, request.MessageBox, request.Offset, request.Limit, time.GetUtcNow(), aborted);
        if (page.Messages.Count == 0 && request.WaitSeconds > 0 && request.Offset == 0 && signals.TryEnter(recipient, options.MaxWaiters, options.MaxWaitersPerIdentity))
        {
            try
            {
                page = await WaitForMessageAsync(store, signals, recipient, request, time, aborted);
            }
            finally
            {
                signals.Exit(recipient);
            }
        }

        return Respond(page, request, options);
    }

    private static async Task<MessagePage> WaitForMessageAsync(IMessageStore store, MailboxSignals signals, string recipient, ListMessagesRequest request, TimeProvider time, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(request.WaitSeconds));
        var page = new MessagePage([], false);
        while (!deadline.IsCancellationRequested)
        {
            using var signal = signals.Subscribe(recipient, request.MessageBox);
            page = await store.ListAsync(recipient, request.MessageBox, request.Offset, request.Limit, time.GetUtcNow(), aborted);
            if (page.Messages.Count > 0)
            {
                return page;
            }

            // The deadline ends the wait, not the request: an empty page is the answer then.
            await signal.Task.WaitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        aborted.ThrowIfCancellationRequested();
        return page;
    }

    private static IResult Respond(MessagePage page, ListMessagesRequest request, RelayOptions options)
    {
        var items = new List<ListedMessage>(page.Messages.Count);
        long bytes = 0;
        var hasMore = page.HasMore;
        foreach (var message in page.Messages)
        {
            bytes += Encoding.UTF8.GetByteCount(message.Body) + ListedMessageOverheadBytes;
            if (bytes > options.ListMaxResponseBytes)
            {
                if (items.Count == 0)
                {
                    return RelayErrors.ResponseTooLarge.With($"The oldest message alone exceeds the response limit of {options.ListMaxResponseBytes} bytes.").ToResult();
                }

                hasMore = true;
                break;
            }

            items.Add(ListedMessage.Create(message.MessageId, message.Body, message.Sender, message.CreatedAt));
        }

        RelayMetrics.MessagesListed(items.Count);
        return TypedResults.Json(
            new ListMessagesResponse(items, request.Limit, request.Offset, hasMore, hasMore ? request.Offset + items.Count : null),
            RelayJson.Options);
    }
}
