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
}
