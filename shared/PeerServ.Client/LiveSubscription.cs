using System.Runtime.CompilerServices;
using PeerServ.Client.Live;

namespace PeerServ.Client;

/// <summary>
/// A live subscription of a <see cref="PeerServClient"/>: every message stored for its identity, in any box not
/// left, as it arrives, opened like a listed one; and sends over the socket, encrypted as <see cref="PeerServClient.SendAsync"/>
/// encrypts. Nothing is acknowledged by arriving here: acknowledge as after a list.
/// </summary>
public sealed class LiveSubscription : IAsyncDisposable
{
    private readonly LiveClient _live;
    private readonly PeerServClient _client;

    internal LiveSubscription(LiveClient live, PeerServClient client)
    {
        _live = live;
        _client = client;
    }

    /// <summary>The underlying connection (room control, session id, why it closed).</summary>
    public LiveClient Connection => _live;

    /// <summary>The messages as they arrive, until the connection ends or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<RelayMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in _live.Messages.ReadAllAsync(cancellationToken))
        {
            yield return _client.Open(message.MessageBox, message.MessageId, message.Sender, message.Body, message.CreatedAt);
        }
    }

    /// <summary>Sends over the socket (stored before the relay acks it); encrypted by default, with MessageBoxClient's id.</summary>
    public async Task<string> SendAsync(string recipient, string messageBox, string body, bool encrypt = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!Auth.Crypto.PublicKey.TryParse(recipient, out var to))
        {
            throw new ArgumentException($"Not a public key in hex: '{recipient}'.", nameof(recipient));
        }

        var ack = await _live.SendAsync(to.Hex, messageBox, encrypt ? _client.Format.Encrypt(to, body) : body, _client.Format.MessageId(to, body), cancellationToken);
        return ack.Succeeded
            ? ack.MessageId!
            : throw new PeerServClientException(System.Net.HttpStatusCode.BadRequest, ack.Code, ack.Description ?? "The relay refused the socket send.");
    }

    public ValueTask DisposeAsync() => _live.DisposeAsync();
}
