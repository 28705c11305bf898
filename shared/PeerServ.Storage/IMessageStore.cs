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
    /// Stores one message for every delivery, all or nothing. A delivery whose (recipient, id) already holds the
    /// same sender, box and body counts as stored (a safe retry); one holding anything else is a conflict, and
    /// then nothing of this send is stored.
    /// </summary>
    Task<InsertResult> InsertAsync(NewMessage message, CancellationToken cancellationToken);

    /// <summary>A page of the recipient's unexpired messages in one box, in arrival order (created time, then sequence).</summary>
    Task<MessagePage> ListAsync(string recipient, string messageBox, int offset, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the recipient's messages with these ids, in any box; returns the ids that were deleted.</summary>
    Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> messages that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// The outbox: stored messages whose MessageSent event is not known to be published, created before
    /// <paramref name="createdBefore"/>, oldest first. Every insert starts pending.
    /// </summary>
    Task<IReadOnlyList<StoredMessage>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken);

    /// <summary>Records that these deliveries' MessageSent events were published (unknown ones are ignored).</summary>
    Task MarkEventsPublishedAsync(IReadOnlyCollection<Delivery> deliveries, CancellationToken cancellationToken);

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
    DateTimeOffset ExpiresAt);

public sealed record StoredMessage(
    string Recipient,
    string MessageId,
    string MessageBox,
    string Sender,
    string Body,
    DateTimeOffset CreatedAt,
    long Sequence);

public sealed record MessagePage(IReadOnlyList<StoredMessage> Messages, bool HasMore);

/// <summary>What an insert did: every delivery is stored (some perhaps identically before), or <paramref name="Conflicting"/> names a delivery whose id is taken by different content, and nothing was stored.</summary>
public sealed record InsertResult(Delivery? Conflicting = null)
{
    public static InsertResult Stored { get; } = new();
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
