using MongoDB.Bson;
using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

/// <summary>
/// The distributed stack's store: collection "messages" with a unique index on (recipient, messageId, sender), the
/// list index (recipient, messageBox, createdAt, seq) and the usage index (recipient, bodyLength) that a recipient
/// quota check counts on; and "senderUsage", one counter per sender and window, reserved atomically before a send's
/// documents are written and given back if they are not. A multi-recipient send is one multi-document transaction
/// (replica set required, as in compose and Kubernetes), so it is all or nothing; a 200 means majority written. No
/// path but the second step of a list loads a body: the others project it away. The sequence that breaks
/// ties between messages of the same millisecond is a per-process counter seeded from the clock: sends never contend
/// on a shared counter document, and the order stays stable.
/// </summary>
public sealed partial class MongoMessageStore : IMessageStore, IMongoIndexes
{
    /// <summary>What a document written before lengths were stored counts against a list's byte budget: the default largest message.</summary>
    private const int UnknownBodyBytes = 1 << 20;

    /// <summary>Everything but the body (read back as a <see cref="MessageDocument"/> with an empty body).</summary>
    private static readonly ProjectionDefinition<MessageDocument> HeadProjection = Builders<MessageDocument>.Projection.Exclude(m => m.Body);

    private static readonly ProjectionDefinition<MessageDocument> BodyProjection = Builders<MessageDocument>.Projection.Include(m => m.Body);

    private readonly IMongoClient _client;
    private readonly IMongoCollection<MessageDocument> _messages;
    private readonly IMongoCollection<SenderUsage> _senders;
    private long _sequence;
    private volatile bool _indexed;

    public MongoMessageStore(IMongoClient client, string database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _sequence = (time ?? TimeProvider.System).GetUtcNow().UtcTicks;
        var db = client.GetDatabase(database);
        _messages = db.GetCollection<MessageDocument>("messages");
        _senders = db.GetCollection<SenderUsage>("senderUsage");
    }

    /// <summary>Creates the indexes (idempotent) and drops the one ids were unique on before (per recipient across senders); run once at start-up.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken) => Guard(async () =>
    {
        var keys = Builders<MessageDocument>.IndexKeys;
        try
        {
            await _messages.Indexes.DropOneAsync("recipient_messageId", cancellationToken);
        }
        catch (MongoCommandException)
        {
            // Not there (a new database) or already dropped.
        }

        await _messages.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.Recipient).Ascending(m => m.MessageId).Ascending(m => m.Sender), new CreateIndexOptions { Unique = true, Name = "recipient_messageId_sender" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.Recipient).Ascending(m => m.MessageBox).Ascending(m => m.CreatedAt).Ascending(m => m.Sequence), new CreateIndexOptions { Name = "list" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.ExpiresAt), new CreateIndexOptions { Name = "expiry" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.Recipient).Ascending(m => m.BodyBytes), new CreateIndexOptions { Name = "usage" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.EventPending).Ascending(m => m.CreatedAt), new CreateIndexOptions { Name = "outbox" }),
        ], cancellationToken);
        await _senders.Indexes.CreateOneAsync(
            new CreateIndexModel<SenderUsage>(Builders<SenderUsage>.IndexKeys.Ascending(u => u.WindowEnd), new CreateIndexOptions { Name = "windowEnd", ExpireAfter = TimeSpan.Zero }),
            cancellationToken: cancellationToken);
        _indexed = true;
    });

    public Task<InsertResult> InsertAsync(NewMessage message, StoreQuotas quotas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(quotas);
        return Guard(async () =>
        {
            if (!_indexed)
            {
                // Never write before the unique index exists: it is what makes ids unique under concurrency.
                await EnsureIndexesAsync(cancellationToken);
            }

            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await TryInsertAsync(message, quotas, cancellationToken);
                }
                catch (Exception ex) when (attempt == 0 && IsDuplicateKey(ex))
                {
                    // A concurrent send took one of our ids between our check and our insert: check again.
                }
            }
        });
    }

    public Task<MessagePage> ListAsync(ListQuery query, CancellationToken cancellationToken) => Guard(async () =>
    {
        ArgumentNullException.ThrowIfNull(query);
        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.Recipient, query.Recipient) & f.Eq(m => m.MessageBox, query.MessageBox) & f.Gt(m => m.ExpiresAt, query.Now.UtcDateTime);

        // Step 1: the page's documents without bodies, cut at the byte budget.
        var heads = await _messages.Find(filter)
            .Sort(Builders<MessageDocument>.Sort.Ascending(m => m.CreatedAt).Ascending(m => m.Sequence))
            .Skip(query.Offset)
            .Limit(query.Limit + 1)
            .Project<MessageDocument>(HeadProjection)
            .ToListAsync(cancellationToken);
        var chosen = new List<MessageDocument>(Math.Min(heads.Count, query.Limit));
        var (hasMore, oldestTooLarge, bytes) = (false, false, 0L);
        foreach (var head in heads)
        {
            if (!query.Fits(chosen.Count, ref bytes, head.BodyBytes ?? UnknownBodyBytes))
            {
                hasMore = true;
                oldestTooLarge = chosen.Count == 0;
                break;
            }

            chosen.Add(head);
        }

        if (chosen.Count == 0)
        {
            return new MessagePage([], hasMore, oldestTooLarge);
        }

        // Step 2: the bodies of the documents that fit, and no others (one acknowledged in between is left out).
        var bodies = (await _messages.Find(f.In(m => m.Id, chosen.Select(h => h.Id))).Project<MessageDocument>(BodyProjection).ToListAsync(cancellationToken))
            .ToDictionary(b => b.Id, b => b.Body);
        var messages = chosen.Where(h => bodies.ContainsKey(h.Id))
            .Select(h => new StoredMessage(h.Recipient, h.MessageId, h.MessageBox, h.Sender, bodies[h.Id], DateTimeOffset.FromUnixTimeMilliseconds(h.CreatedAt), h.Sequence))
            .ToList();
        return new MessagePage(messages, hasMore, oldestTooLarge);
    });

    public Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) => Guard<IReadOnlyList<string>>(async () =>
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return [];
        }

        var f = Builders<MessageDocument>.Filter;
        var found = await _messages.Find(f.Eq(m => m.Recipient, recipient) & f.In(m => m.MessageId, messageIds)).Project<MessageDocument>(HeadProjection).ToListAsync(cancellationToken);
        if (found.Count == 0)
        {
            return [];
        }

        await _messages.DeleteManyAsync(f.In(m => m.Id, found.Select(m => m.Id)), cancellationToken);
        return found.Select(m => m.MessageId).Distinct(StringComparer.Ordinal).ToList();
    });

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken) => Guard(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        await _senders.DeleteManyAsync(Builders<SenderUsage>.Filter.Lte(u => u.WindowEnd, now.UtcDateTime), cancellationToken);
        var expired = await _messages.Find(f.Lte(m => m.ExpiresAt, now.UtcDateTime)).Limit(batchSize).Project<MessageDocument>(HeadProjection).ToListAsync(cancellationToken);
        if (expired.Count == 0)
        {
            return 0;
        }

        var result = await _messages.DeleteManyAsync(f.In(m => m.Id, expired.Select(m => m.Id)), cancellationToken);
        return (int)result.DeletedCount;
    });

    public Task<IReadOnlyList<PendingEvent>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken) => Guard<IReadOnlyList<PendingEvent>>(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        var pending = await _messages.Find(f.Eq(m => m.EventPending, true) & f.Lt(m => m.CreatedAt, createdBefore.ToUnixTimeMilliseconds()))
            .Sort(Builders<MessageDocument>.Sort.Ascending(m => m.CreatedAt).Ascending(m => m.Sequence))
            .Limit(max)
            .Project<MessageDocument>(HeadProjection)
            .ToListAsync(cancellationToken);
        return pending.Select(m => new PendingEvent(m.Recipient, m.MessageId, m.MessageBox, m.Sender, DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt), m.BodyBytes ?? 0)).ToList();
    });

    public Task MarkEventsPublishedAsync(IReadOnlyCollection<PendingEvent> published, CancellationToken cancellationToken) => Guard(async () =>
    {
        ArgumentNullException.ThrowIfNull(published);
        if (published.Count == 0)
        {
            return;
        }

        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.EventPending, true) & f.Or(published.Select(d => f.Eq(m => m.Recipient, d.Recipient) & f.Eq(m => m.MessageId, d.MessageId) & f.Eq(m => m.Sender, d.Sender)));
        await _messages.UpdateManyAsync(filter, Builders<MessageDocument>.Update.Unset(m => m.EventPending), cancellationToken: cancellationToken);
    });

    public Task<StoredMessage?> GetAsync(string recipient, string messageId, string sender, DateTimeOffset now, CancellationToken cancellationToken) => Guard(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.Recipient, recipient) & f.Eq(m => m.MessageId, messageId) & f.Eq(m => m.Sender, sender) & f.Gt(m => m.ExpiresAt, now.UtcDateTime);
        var m = await _messages.Find(filter).FirstOrDefaultAsync(cancellationToken);
        return m is null ? null : new StoredMessage(m.Recipient, m.MessageId, m.MessageBox, m.Sender, m.Body, DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt), m.Sequence);
    });

    public Task PingAsync(CancellationToken cancellationToken) => Guard(async () =>
    {
        await _messages.Database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
    });

    private async Task<InsertResult> TryInsertAsync(NewMessage message, StoreQuotas quotas, CancellationToken ct)
    {
        var conflict = await FindConflictAsync(message, ct);
        if (conflict.Result is { } refused)
        {
            return refused;
        }

        var fresh = conflict.Fresh;
        if (fresh.Count == 0)
        {
            return InsertResult.Stored;
        }

        if (await RecipientQuotaAsync(message, quotas, fresh, ct) is { } recipientExceeded)
        {
            return new InsertResult(Exceeded: recipientExceeded);
        }

        var windowStart = quotas.WindowStart(message.CreatedAt);
        var reservation = new SenderReservation(SenderUsageId(message.Sender, windowStart),
            DateTimeOffset.FromUnixTimeMilliseconds(windowStart).UtcDateTime + quotas.SenderWindow, (long)message.BodyBytes * fresh.Count);
        if (!await ReserveAsync(reservation, quotas.MaxSenderBytesPerWindow, ct))
        {
            return new InsertResult(Exceeded: new QuotaExceeded(QuotaExceeded.SenderBytes, null, quotas.MaxSenderBytesPerWindow));
        }

        try
        {
            await InsertFreshAsync(message, fresh, ct);
        }
        catch
        {
            // Nothing was stored (a duplicate-key race, an outage): give the sender's bytes back.
            await ReleaseAsync(reservation);
            throw;
        }

        return InsertResult.Stored;
    }

    /// <summary>Deliveries not stored yet, or a conflict result if this sender already used an id for other content.</summary>
    private async Task<(InsertResult? Result, List<Delivery> Fresh)> FindConflictAsync(NewMessage message, CancellationToken ct)
    {
        var f = Builders<MessageDocument>.Filter;
        var recipients = message.Deliveries.Select(d => d.Recipient).Distinct().ToList();
        var ids = message.Deliveries.Select(d => d.MessageId).Distinct().ToList();
        var filter = f.In(m => m.Recipient, recipients) & f.In(m => m.MessageId, ids) & f.Eq(m => m.Sender, message.Sender);
        var existing = await _messages.Find(filter).Project<MessageDocument>(HeadProjection).ToListAsync(ct);
        var taken = existing.ToDictionary(m => (m.Recipient, m.MessageId));
        var fresh = new List<Delivery>(message.Deliveries.Count);
        var hash = message.BodyHash;
        foreach (var delivery in message.Deliveries)
        {
            if (!taken.TryGetValue((delivery.Recipient, delivery.MessageId), out var stored))
            {
                fresh.Add(delivery);
            }
            else if (stored.MessageBox != message.MessageBox || !(stored.BodyHash ?? await LegacyHashAsync(stored.Id, ct)).AsSpan().SequenceEqual(hash))
            {
                return (new InsertResult(delivery), fresh);
            }
        }

        return (null, fresh);
    }

    /// <summary>The hash of a document written before hashes were stored: its body read once.</summary>
    private async Task<byte[]> LegacyHashAsync(ObjectId id, CancellationToken ct)
    {
        var body = await _messages.Find(Builders<MessageDocument>.Filter.Eq(m => m.Id, id)).Project<MessageDocument>(BodyProjection).FirstOrDefaultAsync(ct);
        return BodyHash.Of(body?.Body ?? "");
    }

    private async Task InsertFreshAsync(NewMessage message, List<Delivery> fresh, CancellationToken ct)
    {
        var created = message.CreatedAt.ToUnixTimeMilliseconds();
        var hash = message.BodyHash;
        var documents = fresh.Select(d => new MessageDocument
        {
            Recipient = d.Recipient,
            MessageId = d.MessageId,
            MessageBox = message.MessageBox,
            Sender = message.Sender,
            Body = message.Body,
            BodyBytes = message.BodyBytes,
            BodyHash = hash,
            CreatedAt = created,
            ExpiresAt = message.ExpiresAt.UtcDateTime,
            Sequence = Interlocked.Increment(ref _sequence),
            EventPending = true,
        }).ToList();
        if (documents.Count == 1)
        {
            // One document: atomic on its own, the unique index settles races; no transaction needed.
            await _messages.InsertOneAsync(documents[0], cancellationToken: ct);
            return;
        }

        using var session = await _client.StartSessionAsync(cancellationToken: ct);
        // WithTransactionAsync retries transient transaction errors (write conflicts between concurrent sends).
        await session.WithTransactionAsync(async (s, c) =>
        {
            await _messages.InsertManyAsync(s, documents, new InsertManyOptions { IsOrdered = true }, c);
            return true;
        }, cancellationToken: ct);
    }

    private static bool IsDuplicateKey(Exception ex) => MongoGuard.IsDuplicateKey(ex);

    private Task Guard(Func<Task> operation) => MongoGuard.RunAsync(operation, Unavailable);

    // The server that comes back may be another one (a failover, a rebuilt node): check the indexes again before writing.
    private Task<T> Guard<T>(Func<Task<T>> operation) => MongoGuard.RunAsync(operation, Unavailable);

    private void Unavailable() => _indexed = false;
}
