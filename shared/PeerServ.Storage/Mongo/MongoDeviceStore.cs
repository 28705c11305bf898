using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

/// <summary>
/// Push devices on MongoDB: collection "devices", unique on (identity, fcmToken). A registration's id is a random
/// positive integer below 2^53 (exact in JavaScript; an id is a handle, not a secret), drawn once and kept for every
/// repeat registration.
/// </summary>
public sealed class MongoDeviceStore : IDeviceStore, IMongoIndexes
{
    private const long MaxSafeInteger = (1L << 53) - 1;
    private readonly IMongoCollection<DeviceDocument> _devices;

    public MongoDeviceStore(IMongoClient client, string database)
    {
        ArgumentNullException.ThrowIfNull(client);
        _devices = client.GetDatabase(database).GetCollection<DeviceDocument>("devices");
    }

    /// <summary>The unique (identity, token) index; idempotent.</summary>
    public Task EnsureIndexesAsync(CancellationToken cancellationToken) => MongoGuard.RunAsync(() =>
        _devices.Indexes.CreateOneAsync(new CreateIndexModel<DeviceDocument>(
            Builders<DeviceDocument>.IndexKeys.Ascending(d => d.Identity).Ascending(d => d.FcmToken),
            new CreateIndexOptions { Unique = true, Name = "identity_token" }), cancellationToken: cancellationToken));

    public Task<RegisteredDevice> RegisterAsync(DeviceRegistration registration, int maxDevices, CancellationToken cancellationToken) => MongoGuard.RunAsync(async () =>
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDevices);
        var f = Builders<DeviceDocument>.Filter;
        var at = registration.Now.ToUnixTimeMilliseconds();
        DeviceDocument device;
        for (var attempt = 0; ; attempt++)
        {
            var update = Builders<DeviceDocument>.Update.Set(d => d.DeviceId, registration.DeviceId).Set(d => d.Platform, registration.Platform)
                .Set(d => d.Active, true).Set(d => d.UpdatedAt, at);
            var existing = await _devices.FindOneAndUpdateAsync(f.Eq(d => d.Identity, registration.Identity) & f.Eq(d => d.FcmToken, registration.FcmToken), update,
                new FindOneAndUpdateOptions<DeviceDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken);
            if (existing is not null)
            {
                device = existing;
                break;
            }

            device = new DeviceDocument
            {
                Id = Random.Shared.NextInt64(1, MaxSafeInteger + 1),
                Identity = registration.Identity, FcmToken = registration.FcmToken, DeviceId = registration.DeviceId, Platform = registration.Platform,
                Active = true, CreatedAt = at, UpdatedAt = at,
            };
            try
            {
                await _devices.InsertOneAsync(device, cancellationToken: cancellationToken);
                break;
            }
            catch (Exception ex) when (attempt < 2 && MongoGuard.IsDuplicateKey(ex))
            {
                // A concurrent registration of the same token (or, once in 2^53, the same id): look again.
            }
        }

        var held = await _devices.Find(f.Eq(d => d.Identity, registration.Identity)).ToListAsync(cancellationToken);
        var surplus = held.Where(d => d.Id != device.Id).OrderByDescending(d => d.UpdatedAt).ThenByDescending(d => d.Id).Skip(maxDevices - 1).Select(d => d.Id).ToList();
        if (surplus.Count > 0)
        {
            await _devices.DeleteManyAsync(f.In(d => d.Id, surplus), cancellationToken);
        }

        return device.ToDevice();
    });

    public Task<IReadOnlyList<RegisteredDevice>> ListAsync(string identity, CancellationToken cancellationToken) => MongoGuard.RunAsync<IReadOnlyList<RegisteredDevice>>(async () =>
    {
        var rows = await _devices.Find(Builders<DeviceDocument>.Filter.Eq(d => d.Identity, identity))
            .Sort(Builders<DeviceDocument>.Sort.Descending(d => d.UpdatedAt).Descending(d => d.Id)).ToListAsync(cancellationToken);
        return [.. rows.Select(d => d.ToDevice())];
    });

    public Task<bool> UnregisterAsync(string identity, string fcmToken, CancellationToken cancellationToken) => MongoGuard.RunAsync(async () =>
    {
        var f = Builders<DeviceDocument>.Filter;
        var result = await _devices.DeleteManyAsync(f.Eq(d => d.Identity, identity) & f.Eq(d => d.FcmToken, fcmToken), cancellationToken);
        return result.DeletedCount > 0;
    });

    public Task RecordPushAsync(string identity, string fcmToken, bool accepted, DateTimeOffset now, CancellationToken cancellationToken) => MongoGuard.RunAsync(async () =>
    {
        var f = Builders<DeviceDocument>.Filter;
        var at = now.ToUnixTimeMilliseconds();
        var update = accepted ? Builders<DeviceDocument>.Update.Set(d => d.LastUsed, at) : Builders<DeviceDocument>.Update.Set(d => d.Active, false).Set(d => d.UpdatedAt, at);
        await _devices.UpdateOneAsync(f.Eq(d => d.Identity, identity) & f.Eq(d => d.FcmToken, fcmToken), update, cancellationToken: cancellationToken);
    });
}

[BsonIgnoreExtraElements]
internal sealed class DeviceDocument
{
    [BsonId]
    public long Id { get; set; }

    [BsonElement("identity")]
    public string Identity { get; set; } = "";

    [BsonElement("fcmToken")]
    public string FcmToken { get; set; } = "";

    [BsonElement("deviceId")]
    public string? DeviceId { get; set; }

    [BsonElement("platform")]
    public string? Platform { get; set; }

    [BsonElement("active")]
    public bool Active { get; set; }

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    [BsonElement("updatedAt")]
    public long UpdatedAt { get; set; }

    [BsonElement("lastUsed")]
    public long? LastUsed { get; set; }

    public RegisteredDevice ToDevice() => new(Id, Identity, FcmToken, DeviceId, Platform, Active,
        DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt),
        LastUsed is { } used ? DateTimeOffset.FromUnixTimeMilliseconds(used) : null);
}
