using MongoDB.Bson;
using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

/// <summary>
/// The distributed stack's store: collection "messages" with a unique index on (recipient, messageId) and the
/// list index (recipient, messageBox, createdAt, seq). A send is one multi-document transaction (replica set
/// required, as in compose and Kubernetes), so a multi-recipient send is all or nothing and a 200 means majority
/// written. The sequence that breaks ties between messages of the same millisecond is a per-process counter
/// seeded from the clock: sends never contend on a shared counter document, and the order stays stable.
/// </summary>
public sealed class MongoMessageStore : IMessageStore
{
    private readonly IMongoClient _client;
    private readonly IMongoCollection<MessageDocument> _messages;
    private long _sequence;
    private volatile bool _indexed;

    public MongoMessageStore(IMongoClient client, string database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _sequence = (time ?? TimeProvider.System).GetUtcNow().UtcTicks;
        var db = client.GetDatabase(database);
        _messages = db.GetCollection<MessageDocument>("messages");
    }

    /// <summary>Creates the indexes (idempotent); run once at start-up.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken) => Guard(async () =>
    {
        var keys = Builders<MessageDocument>.IndexKeys;
        await _messages.Indexes.CreateManyAsync(
        [
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.Recipient).Ascending(m => m.MessageId), new CreateIndexOptions { Unique = true, Name = "recipient_messageId" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.Recipient).Ascending(m => m.MessageBox).Ascending(m => m.CreatedAt).Ascending(m => m.Sequence), new CreateIndexOptions { Name = "list" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.ExpiresAt), new CreateIndexOptions { Name = "expiry" }),
            new CreateIndexModel<MessageDocument>(keys.Ascending(m => m.EventPending).Ascending(m => m.CreatedAt), new CreateIndexOptions { Name = "outbox" }),
        ], cancellationToken);
        _indexed = true;
    });

    public Task<InsertResult> InsertAsync(NewMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
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
                    return await TryInsertAsync(message, cancellationToken);
                }
                catch (Exception ex) when (attempt == 0 && IsDuplicateKey(ex))
                {
                    // A concurrent send took one of our ids between our check and our insert: check again.
                }
            }
        });
    }

    public Task<MessagePage> ListAsync(string recipient, string messageBox, int offset, int limit, DateTimeOffset now, CancellationToken cancellationToken) => Guard(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.Recipient, recipient) & f.Eq(m => m.MessageBox, messageBox) & f.Gt(m => m.ExpiresAt, now.UtcDateTime);
        var found = await _messages.Find(filter)
            .Sort(Builders<MessageDocument>.Sort.Ascending(m => m.CreatedAt).Ascending(m => m.Sequence))
            .Skip(offset)
            .Limit(limit + 1)
            .ToListAsync(cancellationToken);
        var hasMore = found.Count > limit;
        var messages = found.Take(limit)
            .Select(ToStoredMessage)
            .ToList();
        return new MessagePage(messages, hasMore);
    });

    public Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) => Guard<IReadOnlyList<string>>(async () =>
    {
        if (messageIds.Count == 0)
        {
            return [];
        }

        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.Recipient, recipient) & f.In(m => m.MessageId, messageIds);
        var found = await _messages.Find(filter).ToListAsync(cancellationToken);
        if (found.Count == 0)
        {
            return [];
        }

        await _messages.DeleteManyAsync(f.In(m => m.Id, found.Select(m => m.Id)), cancellationToken);
        return found.Select(m => m.MessageId).ToList();
    });

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken) => Guard(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        var expired = await _messages.Find(f.Lte(m => m.ExpiresAt, now.UtcDateTime)).Limit(batchSize).ToListAsync(cancellationToken);
        if (expired.Count == 0)
        {
            return 0;
        }

        var result = await _messages.DeleteManyAsync(f.In(m => m.Id, expired.Select(m => m.Id)), cancellationToken);
        return (int)result.DeletedCount;
    });

    public Task<IReadOnlyList<StoredMessage>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken) => Guard<IReadOnlyList<StoredMessage>>(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        var pending = await _messages.Find(f.Eq(m => m.EventPending, true) & f.Lt(m => m.CreatedAt, createdBefore.ToUnixTimeMilliseconds()))
            .Sort(Builders<MessageDocument>.Sort.Ascending(m => m.CreatedAt).Ascending(m => m.Sequence))
            .Limit(max)
            .ToListAsync(cancellationToken);
        return pending.Select(ToStoredMessage).ToList();
    });

    public Task MarkEventsPublishedAsync(IReadOnlyCollection<Delivery> deliveries, CancellationToken cancellationToken) => Guard(async () =>
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (deliveries.Count == 0)
        {
            return;
        }

        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.EventPending, true) & f.Or(deliveries.Select(d => f.Eq(m => m.Recipient, d.Recipient) & f.Eq(m => m.MessageId, d.MessageId)));
        await _messages.UpdateManyAsync(filter, Builders<MessageDocument>.Update.Unset(m => m.EventPending), cancellationToken: cancellationToken);
    });

    public Task PingAsync(CancellationToken cancellationToken) => Guard(async () =>
    {
        await _messages.Database.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken);
    });

    private async Task<InsertResult> TryInsertAsync(NewMessage message, CancellationToken cancellationToken)
    {
        if (message.Deliveries.Count == 1)
        {
            // One document: atomic on its own, the unique index settles races; no transaction needed.
            var conflict = await FindConflictAsync(null, message, cancellationToken);
            return conflict.Result ?? await InsertFreshAsync(null, message, conflict.Fresh, cancellationToken);
        }

        using var session = await _client.StartSessionAsync(cancellationToken: cancellationToken);
        // WithTransactionAsync retries transient transaction errors (write conflicts between concurrent sends).
        return await session.WithTransactionAsync(async (s, ct) =>
        {
            var conflict = await FindConflictAsync(s, message, ct);
            return conflict.Result ?? await InsertFreshAsync(s, message, conflict.Fresh, ct);
        }, cancellationToken: cancellationToken);
    }

    /// <summary>Deliveries not stored yet, or a conflict result if an id holds other content.</summary>
    private async Task<(InsertResult? Result, List<Delivery> Fresh)> FindConflictAsync(IClientSessionHandle? session, NewMessage message, CancellationToken ct)
    {
        var f = Builders<MessageDocument>.Filter;
        var recipients = message.Deliveries.Select(d => d.Recipient).Distinct().ToList();
        var ids = message.Deliveries.Select(d => d.MessageId).Distinct().ToList();
        var filter = f.In(m => m.Recipient, recipients) & f.In(m => m.MessageId, ids);
        var existing = await (session is null ? _messages.Find(filter) : _messages.Find(session, filter)).ToListAsync(ct);
        var taken = existing.ToDictionary(m => (m.Recipient, m.MessageId));
        var fresh = new List<Delivery>(message.Deliveries.Count);
        foreach (var delivery in message.Deliveries)
        {
            if (!taken.TryGetValue((delivery.Recipient, delivery.MessageId), out var stored))
            {
                fresh.Add(delivery);
            }
            else if (stored.Sender != message.Sender || stored.MessageBox != message.MessageBox || stored.Body != message.Body)
            {
                return (new InsertResult(delivery), fresh);
            }
        }

        return (null, fresh);
    }

    private async Task<InsertResult> InsertFreshAsync(IClientSessionHandle? session, NewMessage message, List<Delivery> fresh, CancellationToken ct)
    {
        if (fresh.Count == 0)
        {
            return InsertResult.Stored;
        }

        var created = message.CreatedAt.ToUnixTimeMilliseconds();
        var documents = fresh.Select(d => new MessageDocument
        {
            Recipient = d.Recipient,
            MessageId = d.MessageId,
            MessageBox = message.MessageBox,
            Sender = message.Sender,
            Body = message.Body,
            CreatedAt = created,
            ExpiresAt = message.ExpiresAt.UtcDateTime,
            Sequence = Interlocked.Increment(ref _sequence),
            EventPending = true,
        }).ToList();
        var options = new InsertManyOptions { IsOrdered = true };
        await (session is null ? _messages.InsertManyAsync(documents, options, ct) : _messages.InsertManyAsync(session, documents, options, ct));
        return InsertResult.Stored;
    }

    /// <summary>Real MongoDB reports a duplicate key as a write error, the test server as a command error 11000.</summary>
    private static bool IsDuplicateKey(Exception ex) => ex switch
    {
        MongoWriteException w => w.WriteError?.Category == ServerErrorCategory.DuplicateKey,
        MongoBulkWriteException b => b.WriteErrors.Any(e => e.Category == ServerErrorCategory.DuplicateKey),
        MongoCommandException c => c.Code == 11000,
        _ => false,
    };

    private static StoredMessage ToStoredMessage(MessageDocument m) =>
        new(m.Recipient, m.MessageId, m.MessageBox, m.Sender, m.Body, DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt), m.Sequence);

    private async Task Guard(Func<Task> operation) => await Guard(async () =>
    {
        await operation();
        return true;
    });

    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (ex is TimeoutException or MongoConnectionException or MongoNotPrimaryException or MongoNodeIsRecoveringException
            or MongoExecutionTimeoutException or MongoConnectionPoolPausedException or MongoWaitQueueFullException)
        {
            // The server that comes back may be another one (a failover, a rebuilt node): check the indexes again before writing.
            _indexed = false;
            throw new StoreUnavailableException($"MongoDB is unavailable: {ex.Message}", ex);
        }
    }
}
