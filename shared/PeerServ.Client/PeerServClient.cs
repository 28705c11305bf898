using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;
using PeerServ.Client.Live;
using PeerServ.Client.Messages;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;

namespace PeerServ.Client;

/// <summary>
/// A typed client of a PeerServ relay, for one identity: send (encrypted for the recipient by default, with the id
/// MessageBoxClient would give it), list (decrypted), acknowledge, permissions, quotes, devices and the live
/// subscription. Every call is authenticated by the HttpClient's handler (see <see cref="Create"/> or
/// <c>services.AddPeerServClient</c>); every refusal, and every failed authentication, is a
/// <see cref="PeerServClientException"/> with the relay's status and code. A relay that cannot be reached is the
/// transport's HttpRequestException.
/// </summary>
public sealed partial class PeerServClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly PrivateKey _key;
    private readonly PublicKey? _serverKey;
    private readonly bool _ownsHttp;

    /// <param name="http">An HttpClient whose BaseAddress is the relay and whose pipeline authenticates as <paramref name="key"/>.</param>
    /// <param name="serverKey">The relay's key, for live connections to prove (the HTTP handler checks its own pin).</param>
    public PeerServClient(HttpClient http, PrivateKey key, PublicKey? serverKey = null)
        : this(http, key, serverKey, ownsHttp: false)
    {
    }

    private PeerServClient(HttpClient http, PrivateKey key, PublicKey? serverKey, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(key);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the relay's URL.", nameof(http));
        }

        _http = http;
        _key = key;
        _serverKey = serverKey;
        _ownsHttp = ownsHttp;
        Format = new MessageBoxFormat(new KeyDeriver(key));
    }

    /// <summary>This client's identity key.</summary>
    public PublicKey Identity => _key.PublicKey;

    /// <summary>The relay's URL.</summary>
    public Uri Relay => _http.BaseAddress!;

    /// <summary>MessageBoxClient's message ids and envelopes, for this identity.</summary>
    public MessageBoxFormat Format { get; }

    /// <summary>
    /// A client with its own HttpClient: the protocol's authenticating handler over <paramref name="inner"/> (a
    /// SocketsHttpHandler by default), with retries of 503, 429 and transient network errors (see <see cref="PeerServClientOptions"/>).
    /// </summary>
    public static PeerServClient Create(Uri relay, PrivateKey key, PeerServClientOptions? options = null, HttpMessageHandler? inner = null)
    {
        ArgumentNullException.ThrowIfNull(relay);
        ArgumentNullException.ThrowIfNull(key);
        options ??= new PeerServClientOptions();
        var serverKey = options.ServerKey is { Length: > 0 } pin ? PublicKey.Parse(pin) : null;
        var handler = PeerServClientPipeline.Build(key, options, serverKey, inner ?? new SocketsHttpHandler());
        return new PeerServClient(new HttpClient(handler) { BaseAddress = relay, Timeout = options.Timeout }, key, serverKey, ownsHttp: true);
    }

    /// <summary>
    /// Sends <paramref name="body"/> to one recipient. By default encrypted for the recipient as MessageBoxClient does
    /// (<paramref name="encrypt"/> false sends it as it is); the id is MessageBoxClient's for this body and recipient
    /// unless <paramref name="messageId"/> is given, so resending the same body is recognised as a duplicate: stored
    /// once, answered as a success (encrypted, each send's ciphertext differs; the id shows the relay holds the same text).
    /// </summary>
    public async Task<SentMessage> SendAsync(string recipient, string messageBox, string body, bool encrypt = true, string? messageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var to = RecipientKey(recipient);
        var message = new JsonObject
        {
            ["recipient"] = to.Hex,
            ["messageBox"] = messageBox,
            ["body"] = encrypt ? Format.Encrypt(to, body) : body,
            ["messageId"] = messageId ?? Format.MessageId(to, body),
        };
        try
        {
            var reply = await CallAsync<SendMessageResponse>(HttpMethod.Post, "sendMessage", new JsonObject { ["message"] = message }, cancellationToken);
            return Sent(reply);
        }
        catch (PeerServClientException e) when (encrypt && messageId is null && e.Code == RelayErrors.DuplicateMessage.Code)
        {
            // The id is the HMAC of the plaintext: the relay holds this very text from us already, under another random IV.
            var id = (string)message["messageId"]!;
            return new SentMessage(id, [new SentCopy(to.Hex, id)]);
        }
    }

    /// <summary>
    /// Sends one body to several recipients in one call: stored for all or for none. The relay stores one body for
    /// every recipient, so it goes as it is (not encrypted), as MessageBoxClient's batch sends do; each recipient's
    /// id is MessageBoxClient's for that recipient.
    /// </summary>
    public async Task<SentMessage> SendToManyAsync(IReadOnlyList<string> recipients, string messageBox, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(body);
        var keys = recipients.Select(RecipientKey).ToList();
        var message = new JsonObject
        {
            ["recipients"] = new JsonArray([.. keys.Select(k => JsonValue.Create(k.Hex))]),
            ["messageBox"] = messageBox,
            ["body"] = body,
            ["messageId"] = new JsonArray([.. keys.Select(k => JsonValue.Create(Format.MessageId(k, body)))]),
        };
        var reply = await CallAsync<SendMessageResponse>(HttpMethod.Post, "sendMessage", new JsonObject { ["message"] = message }, cancellationToken);
        return Sent(reply);
    }

    /// <summary>A page of one of this identity's boxes, oldest first, bodies opened (see <see cref="RelayMessage"/>).</summary>
    /// <exception cref="MessageDecryptionException">An encrypted body that does not open with this identity's key.</exception>
    public async Task<MessagePage> ListAsync(string messageBox, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["messageBox"] = messageBox };
        if (options?.Limit is { } limit)
        {
            request["limit"] = limit;
        }

        if (options?.Offset is { } offset)
        {
            request["offset"] = offset;
        }

        if (options?.WaitSeconds is { } wait)
        {
            request["waitSeconds"] = wait;
        }

        var reply = await CallAsync<ListMessagesResponse>(HttpMethod.Post, "listMessages", request, cancellationToken);
        return new MessagePage([.. reply.Messages.Select(m => Open(messageBox, m.MessageId, m.Sender, m.Body, m.CreatedAt))], reply.HasMore, reply.NextOffset);
    }

    /// <summary>Deletes this identity's messages with these ids (in any box); returns how many there were.</summary>
    public async Task<int> AcknowledgeAsync(IEnumerable<string> messageIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var ids = new JsonArray([.. messageIds.Select(id => JsonValue.Create(id))]);
        var reply = await CallAsync<AcknowledgeMessageResponse>(HttpMethod.Post, "acknowledgeMessage", new JsonObject { ["messageIds"] = ids }, cancellationToken);
        return reply.Acknowledged;
    }

    /// <summary>Sets this identity's rule for <paramref name="sender"/> (null: box-wide) into one of its boxes: -1 blocks, 0 allows, more charges satoshis.</summary>
    public async Task SetPermissionAsync(string messageBox, int recipientFee, string? sender = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["messageBox"] = messageBox, ["recipientFee"] = recipientFee };
        if (sender is not null)
        {
            request["sender"] = sender;
        }

        await CallAsync<SetPermissionResponse>(HttpMethod.Post, "permissions/set", request, cancellationToken);
    }

    /// <summary>This identity's exact rule for <paramref name="sender"/> (null: box-wide) into one box, or null.</summary>
    public async Task<PermissionRule?> GetPermissionAsync(string messageBox, string? sender = null, CancellationToken cancellationToken = default)
    {
        var query = Query(("messageBox", messageBox), ("sender", sender));
        var reply = await CallAsync<GetPermissionResponse>(HttpMethod.Get, "permissions/get" + query, null, cancellationToken);
        return reply.Permission is { } p ? new PermissionRule(p.Sender, p.MessageBox, p.RecipientFee, p.Status, Time(p.CreatedAt), Time(p.UpdatedAt)) : null;
    }

    /// <summary>A page of this identity's rules (of one box, or all), box-wide rules first.</summary>
    public async Task<PermissionPage> ListPermissionsAsync(string? messageBox = null, int? limit = null, int? offset = null, CancellationToken cancellationToken = default)
    {
        var query = Query(("messageBox", messageBox), ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("offset", offset?.ToString(CultureInfo.InvariantCulture)));
        var reply = await CallAsync<ListPermissionsResponse>(HttpMethod.Get, "permissions/list" + query, null, cancellationToken);
        return new PermissionPage([.. reply.Permissions.Select(p => new PermissionRule(p.Sender, p.MessageBox, p.RecipientFee, p.Status, Time(p.CreatedAt), Time(p.UpdatedAt)))], reply.TotalCount);
    }

    /// <summary>What sending into <paramref name="messageBox"/> of these recipients would cost this identity, and who has blocked it.</summary>
    public async Task<MessageQuote> QuoteAsync(IReadOnlyList<string> recipients, string messageBox, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var query = Query([.. recipients.Select(r => ("recipient", (string?)r)), ("messageBox", messageBox)]);
        var (reply, agent) = await CallWithServerKeyAsync<QuoteResponse>(HttpMethod.Get, "permissions/quote" + query, cancellationToken);
        IReadOnlyList<RecipientQuote> quotes = reply.QuotesByRecipient is { } several
            ? [.. several.Select(q => new RecipientQuote(q.Recipient, q.MessageBox, q.DeliveryFee, q.RecipientFee, q.Status))]
            : [new RecipientQuote(recipients[0], messageBox, reply.Quote!.DeliveryFee, reply.Quote.RecipientFee, PermissionOptions.StatusOf(reply.Quote.RecipientFee))];
        var blocked = reply.BlockedRecipients ?? [.. quotes.Where(q => q.Blocked).Select(q => q.Recipient)];
        var total = reply.Totals?.TotalForPayableRecipients ?? quotes.Where(q => !q.Blocked).Sum(q => (long)q.DeliveryFee + q.RecipientFee);
        return new MessageQuote(quotes, blocked, total, agent);
    }

    /// <summary>Registers (or refreshes) an FCM token of this identity's; returns the registration's number.</summary>
    public async Task<long> RegisterDeviceAsync(string fcmToken, string? platform = null, string? deviceId = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["fcmToken"] = fcmToken };
        if (platform is not null)
        {
            request["platform"] = platform;
        }

        if (deviceId is not null)
        {
            request["deviceId"] = deviceId;
        }

        return (await CallAsync<RegisterDeviceResponse>(HttpMethod.Post, "registerDevice", request, cancellationToken)).DeviceId;
    }

    /// <summary>This identity's push registrations, most recently updated first.</summary>
    public async Task<IReadOnlyList<Device>> ListDevicesAsync(CancellationToken cancellationToken = default)
    {
        var reply = await CallAsync<ListDevicesResponse>(HttpMethod.Get, "devices", null, cancellationToken);
        return [.. reply.Devices.Select(d => new Device(d.Id, d.DeviceId, d.Platform, d.FcmToken, d.Active, Time(d.CreatedAt), Time(d.UpdatedAt), d.LastUsed is { } used ? Time(used) : null))];
    }

    /// <summary>
    /// A live subscription (Socket.IO + BRC-103 at /socket.io/): messages for every box of this identity as they are
    /// stored, bodies opened as <see cref="ListAsync"/> opens them.
    /// </summary>
    public async Task<LiveSubscription> ListenAsync(CancellationToken cancellationToken = default)
    {
        var live = await LiveClient.ConnectAsync(Relay, _key, _serverKey, cancellationToken);
        return new LiveSubscription(live, this);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    internal RelayMessage Open(string messageBox, string messageId, string sender, string body, string createdAt)
    {
        var opened = PublicKey.TryParse(sender, out var from) ? Format.Open(from, body) : new OpenedBody(body, false);
        return new RelayMessage(messageId, sender, messageBox, opened.Text, opened.WasEncrypted, body, Time(createdAt));
    }

    private static PublicKey RecipientKey(string recipient) =>
        PublicKey.TryParse(recipient, out var key) ? key : throw new ArgumentException($"Not a public key in hex: '{recipient}'.", nameof(recipient));

    private static SentMessage Sent(SendMessageResponse reply)
    {
        var copies = reply.Results.Select(r => new SentCopy(r.Recipient, r.MessageId)).ToList();
        return new SentMessage(copies.Count > 0 ? copies[0].MessageId : reply.MessageId.ToString(), copies);
    }

    private static DateTimeOffset Time(string stamp) => DateTimeOffset.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
