using System.Globalization;
using MongoDB.Bson;
using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

/// <summary>The quotas: what a recipient holds, counted on the usage index, and a sender's bytes per window, reserved atomically.</summary>
public sealed partial class MongoMessageStore
{
    private static string SenderUsageId(string sender, long windowStart) => string.Create(CultureInfo.InvariantCulture, $"{sender}|{windowStart}");

    /// <summary>
    /// The first recipient this send would take past its quota, counted on the usage index. Concurrent sends to one
    /// recipient may each pass the check, so a recipient can end up at most that many messages over its quota.
    /// </summary>
    private async Task<QuotaExceeded?> RecipientQuotaAsync(NewMessage message, StoreQuotas quotas, List<Delivery> fresh, CancellationToken ct)
    {
        if (quotas.MaxMessagesPerRecipient == int.MaxValue && quotas.MaxBytesPerRecipient == long.MaxValue)
        {
            return null;
        }

        var added = fresh.GroupBy(d => d.Recipient, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var held = await _messages.Aggregate()
            .Match(Builders<MessageDocument>.Filter.In(m => m.Recipient, added.Keys))
            .Group<HeldUsage>(new BsonDocument
            {
                ["_id"] = "$recipient",
                ["messages"] = new BsonDocument("$sum", 1),
                ["bytes"] = new BsonDocument("$sum", "$bodyLength"),
            })
            .ToListAsync(ct);
        var usage = held.ToDictionary(h => h.Recipient, StringComparer.Ordinal);
        foreach (var (recipient, count) in added)
        {
            var h = usage.GetValueOrDefault(recipient);
            var others = count - 1; // deliveries of this send to the same recipient before the last
            if (quotas.Check(recipient, (h?.Messages ?? 0) + others, (h?.Bytes ?? 0) + ((long)others * message.BodyBytes), message.BodyBytes) is { } exceeded)
            {
                return exceeded;
            }
        }

        return null;
    }

    /// <summary>
    /// Adds the reservation's bytes to the sender's window counter if they fit, atomically: the filter matches only a
    /// counter with room, and when it does not, the upsert's insert of the same _id fails on the unique _id.
    /// </summary>
    private async Task<bool> ReserveAsync(SenderReservation reservation, long limit, CancellationToken ct)
    {
        if (reservation.Bytes > limit)
        {
            return false;
        }

        var u = Builders<SenderUsage>.Filter;
        try
        {
            await _senders.UpdateOneAsync(u.Eq(x => x.Id, reservation.Id) & u.Lte(x => x.Bytes, limit - reservation.Bytes),
                Builders<SenderUsage>.Update.Inc(x => x.Bytes, reservation.Bytes).Set(x => x.WindowEnd, reservation.WindowEnd),
                new UpdateOptions { IsUpsert = true }, ct);
            return true;
        }
        catch (Exception ex) when (IsDuplicateKey(ex))
        {
            return false;
        }
    }

    private async Task ReleaseAsync(SenderReservation reservation)
    {
        try
        {
            await _senders.UpdateOneAsync(Builders<SenderUsage>.Filter.Eq(x => x.Id, reservation.Id), Builders<SenderUsage>.Update.Inc(x => x.Bytes, -reservation.Bytes));
        }
        catch (Exception ex) when (ex is TimeoutException or MongoException)
        {
            // The store is gone: the sender keeps that much less room until its window ends (never more).
        }
    }

    private sealed record SenderReservation(string Id, DateTime WindowEnd, long Bytes);
}
