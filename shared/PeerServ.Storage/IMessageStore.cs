using System.Text;
using PeerServ.Relay;

namespace PeerServ.Storage;

/// <summary>
/// Everything the relay asks of its storage, and nothing more: one narrow interface with one implementation per
/// backend (MongoDB for the distributed stack, SQLite for the standalone host). Every method either completes
/// durably or throws <see cref="StoreUnavailableException"/>; every host's exception handler answers it with 503, never 200 or 500.
/// </summary>
public interface IMessageStore
{
    /// <summary>
    /// Stores one message for every delivery, all or nothing. A message id is unique per (recipient, sender): a
    /// delivery whose (recipient, sender, id) already holds the same box and body counts as stored (a safe retry); one
    /// holding another box or body is a conflict. A send that would take a recipient or the sender past
    /// <paramref name="quotas"/> is refused. On a conflict or a refusal nothing of this send is stored.
    /// </summary>
    Task<InsertResult> InsertAsync(NewMessage message, StoreQuotas quotas, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the recipient's unexpired messages in one box, in arrival order (created time, then sequence),
    /// that stops before its bodies pass the query's byte budget: no body beyond the budget is read.
    /// </summary>
    Task<MessagePage> ListAsync(ListQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes the recipient's messages with these ids (from any sender, in any box); returns the ids that were deleted.</summary>
    Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> messages that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// The outbox: stored messages whose MessageSent event is not known to be published, created before
    /// <paramref name="createdBefore"/>, oldest first, without their bodies. Every insert starts pending.
    /// </summary>
    Task<IReadOnlyList<PendingEvent>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records that these deliveries' MessageSent events were published, each matched by recipient, id and sender
    /// (ids are unique per recipient and sender, so another sender's message with the same id stays pending);
    /// unknown ones are ignored.
    /// </summary>
    Task MarkEventsPublishedAsync(IReadOnlyCollection<PendingEvent> published, CancellationToken cancellationToken);

    /// <summary>
    /// One stored, unexpired message with its body, by recipient, id and sender (what a MessageSent event names), or
    /// null when it is not there (acknowledged, expired, never stored): what live delivery pushes.
    /// </summary>
    Task<StoredMessage?> GetAsync(string recipient, string messageId, string sender, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the push notification of one stored message: true the first time for that (recipient, id, sender); false
    /// after that, and when the message is not there (acknowledged, never stored). What makes a push go out once
    /// however often its MessageSent event is delivered, and to whichever replica.
    /// </summary>
    Task<bool> ClaimPushAsync(string recipient, string messageId, string sender, CancellationToken cancellationToken);

    /// <summary>Cheap round trip for readiness checks.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>One recipient of a send and the message id it gets in that recipient's mailbox.</summary>
public sealed record Delivery(string Recipient, string MessageId);

public sealed record NewMessage(
    string Sender,
    string MessageBox,
    string Body,
    IReadOnlyList<Delivery> Deliveries,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>The body's length in UTF-8 bytes: what quotas, list budgets and events count.</summary>
    public int BodyBytes { get; } = Encoding.UTF8.GetByteCount(Body);

    /// <summary>SHA-256 of the body's UTF-8 bytes: what a retry's conflict check compares, instead of the body. Computed once.</summary>
    public byte[] BodyHash { get; } = Storage.BodyHash.Of(Body);
}

public sealed record StoredMessage(
    string Recipient,
    string MessageId,
    string MessageBox,
    string Sender,
    string Body,
    DateTimeOffset CreatedAt,
    long Sequence);

/// <summary>A stored message as the outbox needs it: everything of its MessageSent event, the body's length but not the body.</summary>
public sealed record PendingEvent(string Recipient, string MessageId, string MessageBox, string Sender, DateTimeOffset CreatedAt, int BodyBytes);

/// <summary>
/// One page request. Messages are taken in order while the sum of (body bytes + <paramref name="OverheadBytesPerMessage"/>)
/// stays within <paramref name="MaxBytes"/>; the first that does not fit ends the page (HasMore).
/// </summary>
public sealed record ListQuery(
    string Recipient,
    string MessageBox,
    int Offset,
    int Limit,
    DateTimeOffset Now,
    long MaxBytes = long.MaxValue,
    int OverheadBytesPerMessage = 0)
{
    /// <summary>Whether a page that already holds <paramref name="count"/> messages of <paramref name="bytes"/> can take one more of <paramref name="bodyBytes"/>.</summary>
    internal bool Fits(int count, ref long bytes, long bodyBytes)
    {
        if (count >= Limit)
        {
            return false;
        }

        var next = bytes + bodyBytes + OverheadBytesPerMessage;
        if (next > MaxBytes)
        {
            return false;
        }

        bytes = next;
        return true;
    }
}

/// <param name="Messages">The page, in arrival order.</param>
/// <param name="HasMore">More messages follow this page (by count or by the byte budget).</param>
/// <param name="OldestTooLarge">The first message of the page alone exceeds the byte budget, so the page is empty although messages exist.</param>
public sealed record MessagePage(IReadOnlyList<StoredMessage> Messages, bool HasMore, bool OldestTooLarge = false);

/// <summary>
/// What one send may take. Per recipient: messages and body bytes held (unacknowledged, unswept). Per sender: body
/// bytes accepted within a fixed window, counted once per new delivery (a 1 MiB body to 100 recipients is 100 MiB).
/// </summary>
public sealed record StoreQuotas(int MaxMessagesPerRecipient, long MaxBytesPerRecipient, long MaxSenderBytesPerWindow, TimeSpan SenderWindow)
{
    /// <summary>No quota at all: for tools and tests that exercise other behaviour.</summary>
    public static StoreQuotas Unlimited { get; } = new(int.MaxValue, long.MaxValue, long.MaxValue, TimeSpan.FromHours(1));

    public static StoreQuotas From(RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.MaxMessagesPerRecipient, options.MaxBytesPerRecipient, options.MaxSenderBytesPerWindow, options.SenderQuotaWindow);
    }

    /// <summary>The start (unix ms) of the sender window that holds <paramref name="now"/>.</summary>
    public long WindowStart(DateTimeOffset now)
    {
        var window = (long)SenderWindow.TotalMilliseconds;
        var ms = now.ToUnixTimeMilliseconds();
        return ms - (((ms % window) + window) % window);
    }

    /// <summary>The first quota this send would pass, given what the store holds; null when it fits.</summary>
    public QuotaExceeded? Check(string recipient, long heldMessages, long heldBytes, int bodyBytes)
    {
        if (heldMessages + 1 > MaxMessagesPerRecipient)
        {
            return new QuotaExceeded(QuotaExceeded.RecipientMessages, recipient, MaxMessagesPerRecipient);
        }

        return heldBytes + bodyBytes > MaxBytesPerRecipient ? new QuotaExceeded(QuotaExceeded.RecipientBytes, recipient, MaxBytesPerRecipient) : null;
    }

    public QuotaExceeded? CheckSender(long acceptedBytes, long newBytes) =>
        acceptedBytes + newBytes > MaxSenderBytesPerWindow ? new QuotaExceeded(QuotaExceeded.SenderBytes, null, MaxSenderBytesPerWindow) : null;
}

/// <summary>Which quota a send would pass: its name, the recipient it concerns (null for the sender's own), and the limit.</summary>
public sealed record QuotaExceeded(string Quota, string? Recipient, long Limit)
{
    public const string RecipientMessages = "recipientMessages";
    public const string RecipientBytes = "recipientBytes";
    public const string SenderBytes = "senderBytes";
}

/// <summary>
/// What an insert did: every delivery is stored (some perhaps identically before); or <paramref name="Conflicting"/>
/// names a delivery whose id this sender already used for other content; or <paramref name="Exceeded"/> names the
/// quota the send would pass. In the last two cases nothing was stored.
/// </summary>
public sealed record InsertResult(Delivery? Conflicting = null, QuotaExceeded? Exceeded = null)
{
    public static InsertResult Stored { get; } = new();
}

/// <summary>Store calls without a byte budget or quotas: for tools and tests that exercise other behaviour; the relay's endpoints pass theirs.</summary>
public static class MessageStoreExtensions
{
    public static Task<InsertResult> InsertAsync(this IMessageStore store, NewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.InsertAsync(message, StoreQuotas.Unlimited, cancellationToken);
    }

    public static Task<MessagePage> ListAsync(this IMessageStore store, string recipient, string messageBox, int offset, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.ListAsync(new ListQuery(recipient, messageBox, offset, limit, now), cancellationToken);
    }
}

/// <summary>The store could not be reached or did not answer in time; the request may be retried.</summary>
public sealed class StoreUnavailableException : ServiceUnavailableException
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
