using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

public sealed partial class MongoMessageStore
{
    /// <summary>One conditional update: only the first claim of a stored message modifies it.</summary>
    public Task<bool> ClaimPushAsync(string recipient, string messageId, string sender, CancellationToken cancellationToken) => Guard(async () =>
    {
        var f = Builders<MessageDocument>.Filter;
        var filter = f.Eq(m => m.Recipient, recipient) & f.Eq(m => m.MessageId, messageId) & f.Eq(m => m.Sender, sender) & f.Ne(m => m.PushClaimed, true);
        var result = await _messages.UpdateOneAsync(filter, Builders<MessageDocument>.Update.Set(m => m.PushClaimed, true), cancellationToken: cancellationToken);
        return result.ModifiedCount == 1;
    });
}
