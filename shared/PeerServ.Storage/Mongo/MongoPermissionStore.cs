using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

/// <summary>
/// Permission rules on MongoDB: collection "permissions", one document per rule whose _id is
/// "&lt;recipient&gt;|&lt;box&gt;|&lt;sender&gt;" (sender empty for the box-wide rule), so a rule is unique however it is written —
/// the box-wide rule included, which the TypeScript server duplicates on every write.
/// </summary>
public sealed class MongoPermissionStore : IPermissionStore, IMongoIndexes
{
    private readonly IMongoCollection<PermissionDocument> _rules;

    public MongoPermissionStore(IMongoClient client, string database)
    {
        ArgumentNullException.ThrowIfNull(client);
        _rules = client.GetDatabase(database).GetCollection<PermissionDocument>("permissions");
    }

    /// <summary>The list index (recipient, box, sender, created); idempotent.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken) => MongoGuard.RunAsync(() =>
        _rules.Indexes.CreateOneAsync(new CreateIndexModel<PermissionDocument>(
            Builders<PermissionDocument>.IndexKeys.Ascending(r => r.Recipient).Ascending(r => r.MessageBox).Ascending(r => r.Sender).Ascending(r => r.CreatedAt),
            new CreateIndexOptions { Name = "list" }), cancellationToken: cancellationToken));

    public Task<PermissionRule> SetAsync(string recipient, string messageBox, string? sender, int recipientFee, DateTimeOffset now, CancellationToken cancellationToken) => MongoGuard.RunAsync(async () =>
    {
        var id = Id(recipient, messageBox, sender);
        var at = now.ToUnixTimeMilliseconds();
        for (var attempt = 0; ; attempt++)
        {
            var update = Builders<PermissionDocument>.Update.Set(r => r.RecipientFee, recipientFee).Set(r => r.UpdatedAt, at);
            var existing = await _rules.FindOneAndUpdateAsync(Builders<PermissionDocument>.Filter.Eq(r => r.Id, id), update,
                new FindOneAndUpdateOptions<PermissionDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken);
            if (existing is not null)
            {
                return existing.ToRule();
            }

            var document = new PermissionDocument
            {
                Id = id, Recipient = recipient, MessageBox = messageBox, Sender = sender ?? "", RecipientFee = recipientFee, CreatedAt = at, UpdatedAt = at,
            };
            try
            {
                await _rules.InsertOneAsync(document, cancellationToken: cancellationToken);
                return document.ToRule();
            }
            catch (Exception ex) when (attempt == 0 && MongoGuard.IsDuplicateKey(ex))
            {
                // A concurrent set created it between our update and our insert: update it.
            }
        }
    });

    public Task<PermissionRule?> GetAsync(string recipient, string messageBox, string? sender, CancellationToken cancellationToken) => MongoGuard.RunAsync(async () =>
        (await _rules.Find(Builders<PermissionDocument>.Filter.Eq(r => r.Id, Id(recipient, messageBox, sender))).FirstOrDefaultAsync(cancellationToken))?.ToRule());

    public Task<PermissionPage> ListAsync(PermissionQuery query, CancellationToken cancellationToken) => MongoGuard.RunAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(query);
        var f = Builders<PermissionDocument>.Filter;
        var filter = f.Eq(r => r.Recipient, query.Recipient);
        if (query.MessageBox is { } box)
        {
            filter &= f.Eq(r => r.MessageBox, box);
        }

        var sort = Builders<PermissionDocument>.Sort.Ascending(r => r.MessageBox).Ascending(r => r.Sender);
        sort = query.NewestFirst ? sort.Descending(r => r.CreatedAt) : sort.Ascending(r => r.CreatedAt);
        var total = await _rules.CountDocumentsAsync(filter, cancellationToken: cancellationToken);
        var rows = await _rules.Find(filter).Sort(sort).Skip(query.Offset).Limit(query.Limit).ToListAsync(cancellationToken);
        return new PermissionPage([.. rows.Select(r => r.ToRule())], total);
    });

    public Task<IReadOnlyDictionary<string, PermissionRule>> FindApplicableAsync(string sender, string messageBox, IReadOnlyCollection<string> recipients, CancellationToken cancellationToken) =>
        MongoGuard.RunAsync<IReadOnlyDictionary<string, PermissionRule>>(async () =>
        {
            ArgumentNullException.ThrowIfNull(recipients);
            var ids = recipients.SelectMany(r => new[] { Id(r, messageBox, null), Id(r, messageBox, sender) }).Distinct(StringComparer.Ordinal);
            var rows = await _rules.Find(Builders<PermissionDocument>.Filter.In(r => r.Id, ids)).ToListAsync(cancellationToken);
            var found = new Dictionary<string, PermissionRule>(StringComparer.Ordinal);
            // The box-wide rule first, so that the sender's own rule replaces it.
            foreach (var row in rows.OrderBy(r => r.Sender.Length))
            {
                found[row.Recipient] = row.ToRule();
            }

            return found;
        });

    private static string Id(string recipient, string messageBox, string? sender) => $"{recipient}|{messageBox}|{sender}";
}

[BsonIgnoreExtraElements]
internal sealed class PermissionDocument
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("recipient")]
    public string Recipient { get; set; } = "";

    [BsonElement("messageBox")]
    public string MessageBox { get; set; } = "";

    /// <summary>Empty for the box-wide rule.</summary>
    [BsonElement("sender")]
    public string Sender { get; set; } = "";

    [BsonElement("recipientFee")]
    public int RecipientFee { get; set; }

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    [BsonElement("updatedAt")]
    public long UpdatedAt { get; set; }

    public PermissionRule ToRule() => new(Recipient, MessageBox, Sender.Length == 0 ? null : Sender, RecipientFee,
        DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));
}
