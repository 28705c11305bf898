using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;
using PeerServ.MailboxQuery.Features;
using PeerServ.ServiceDefaults;
using PeerServ.Storage;

namespace PeerServ.MailboxQuery.Apis;

public static partial class ListMessagesApi
{
    public static IEndpointRouteBuilder MapListMessagesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/listMessages", ListAsync).WithName("ListMessages");
        return endpoints;
    }

    /// <summary>The caller's messages in one box, oldest first; with waitSeconds, an empty box waits for the next message.</summary>
    private static async Task<IResult> ListAsync(
        HttpContext context,
        IMessageStore store,
        MailboxSignals signals,
        IOptions<RelayOptions> relayOptions,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        var options = relayOptions.Value;
        var (caller, request, error) = await JsonRequest.ReadAuthenticatedAsync(context, 64 * 1024, "ERR_REQUEST_TOO_LARGE",
            root => ListMessagesRequest.Parse(root, options));
        if (error is not null)
        {
            return error;
        }

        var recipient = caller.IdentityKey.Hex;
        try
        {
            var page = await store.ListAsync(recipient, request.MessageBox, request.Offset, request.Limit, time.GetUtcNow(), context.RequestAborted);
            if (page.Messages.Count == 0 && request.WaitSeconds > 0 && request.Offset == 0 && signals.TryEnter(options.MaxWaiters))
            {
                try
                {
                    page = await WaitForMessageAsync(store, signals, recipient, request, time, context.RequestAborted);
                }
                finally
                {
                    signals.Exit();
                }
            }

            return Respond(page, request, options);
        }
        catch (StoreUnavailableException ex)
        {
            LogStoreUnavailable(loggers.CreateLogger(nameof(ListMessagesApi)), ex.Message);
            return ApiResults.Unavailable(context, "The message store is unavailable. Retry the request.");
        }
    }

    private static async Task<MessagePage> WaitForMessageAsync(IMessageStore store, MailboxSignals signals, string recipient, ListMessagesRequest request, TimeProvider time, CancellationToken aborted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(TimeSpan.FromSeconds(request.WaitSeconds));
        var page = new MessagePage([], false);
        while (!deadline.IsCancellationRequested)
        {
            var signal = signals.Subscribe(recipient, request.MessageBox);
            page = await store.ListAsync(recipient, request.MessageBox, request.Offset, request.Limit, time.GetUtcNow(), aborted);
            if (page.Messages.Count > 0)
            {
                return page;
            }

            await signal.WaitAsync(deadline.Token).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
            bytes += Encoding.UTF8.GetByteCount(message.Body) + 400;
            if (bytes > options.ListMaxResponseBytes)
            {
                if (items.Count == 0)
                {
                    return ApiResults.Error(StatusCodes.Status413PayloadTooLarge, "ERR_MESSAGE_RESPONSE_TOO_LARGE",
                        $"The oldest message alone exceeds the response limit of {options.ListMaxResponseBytes} bytes.");
                }

                hasMore = true;
                break;
            }

            var stamp = message.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            items.Add(new ListedMessage(message.MessageId, message.Body, message.Sender, stamp, stamp, stamp, stamp));
        }

        RelayMetrics.MessagesListed(items.Count);
        return TypedResults.Json(
            new ListMessagesResponse(items, request.Limit, request.Offset, hasMore, hasMore ? request.Offset + items.Count : null),
            ApiResults.Json);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable for a list: {Reason}")]
    private static partial void LogStoreUnavailable(ILogger logger, string reason);
}

internal sealed record ListMessagesResponse(IReadOnlyList<ListedMessage> Messages, int Limit, int Offset, bool HasMore, int? NextOffset)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Status { get; } = "success";
}

internal sealed record ListedMessage(
    string MessageId,
    string Body,
    string Sender,
    string CreatedAt,
    string UpdatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("created_at")] string CreatedAtPeerServ,
    [property: System.Text.Json.Serialization.JsonPropertyName("updated_at")] string UpdatedAtPeerServ);
