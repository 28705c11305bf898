using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace PeerServ.Storage.Mongo;

/// <summary>One message in one recipient's box: collection "messages".</summary>
[BsonIgnoreExtraElements]
internal sealed class MessageDocument
{
    [BsonId]
    public ObjectId Id { get; set; }

    [BsonElement("recipient")]
    public string Recipient { get; set; } = "";

    [BsonElement("messageId")]
    public string MessageId { get; set; } = "";

    [BsonElement("messageBox")]
    public string MessageBox { get; set; } = "";

    [BsonElement("sender")]
    public string Sender { get; set; } = "";

    [BsonElement("body")]
    public string Body { get; set; } = "";

    /// <summary>The body's length in UTF-8 bytes; absent on documents written before it existed.</summary>
    [BsonElement("bodyLength")]
    [BsonIgnoreIfNull]
    public int? BodyBytes { get; set; }

    /// <summary>SHA-256 of the body's UTF-8 bytes, what a retry's conflict check compares; absent on older documents.</summary>
    [BsonElement("bodyHash")]
    [BsonIgnoreIfNull]
    public byte[]? BodyHash { get; set; }

    [BsonElement("createdAt")]
    public long CreatedAt { get; set; }

    [BsonElement("expiresAt")]
    public DateTime ExpiresAt { get; set; }

    [BsonElement("seq")]
    public long Sequence { get; set; }

    /// <summary>True until the MessageSent event is known to be published (the outbox); then removed.</summary>
    [BsonElement("pending")]
    [BsonIgnoreIfDefault]
    public bool EventPending { get; set; }

    /// <summary>Set once the push notification of this message is claimed (absent until then).</summary>
    [BsonElement("pushClaimed")]
    [BsonIgnoreIfDefault]
    public bool PushClaimed { get; set; }
}

/// <summary>What one recipient holds: the result of the quota check's aggregation.</summary>
[BsonIgnoreExtraElements]
internal sealed class HeldUsage
{
    [BsonId]
    public string Recipient { get; set; } = "";

    [BsonElement("messages")]
    public long Messages { get; set; }

    [BsonElement("bytes")]
    public long Bytes { get; set; }
}

/// <summary>What one sender had accepted in one window: collection "senderUsage", _id "&lt;sender&gt;|&lt;window start ms&gt;".</summary>
[BsonIgnoreExtraElements]
internal sealed class SenderUsage
{
    [BsonId]
    public string Id { get; set; } = "";

    [BsonElement("bytes")]
    public long Bytes { get; set; }

    [BsonElement("windowEnd")]
    public DateTime WindowEnd { get; set; }
}
