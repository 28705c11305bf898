using System.Net;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;

namespace PeerServ.LoadGen;

/// <summary>One simulated user: its key, its authenticated session (own handler, shared connection pool).</summary>
internal sealed class Identity : IDisposable
{
    private readonly HttpClient _http;
    private readonly Func<Task<PublicKey>> _handshake;

    public Identity(int index, Uri url, string protocol, HttpMessageHandler pool)
    {
        Index = index;
        var key = PrivateKey.Generate();
        Key = key.PublicKey.Hex;
        if (protocol == "brc31")
        {
            var handler = new AuthriteClientHandler(key, pool);
            _handshake = () => handler.GetServerKeyAsync(url);
            _http = new HttpClient(handler, disposeHandler: false) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        }
        else
        {
            var handler = new Brc104ClientHandler(key, pool);
            _handshake = () => handler.GetServerKeyAsync(url);
            _http = new HttpClient(handler, disposeHandler: false) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        }
    }

    public int Index { get; }

    public string Key { get; }

    public const string Box = "bench";

    public Task HandshakeAsync() => _handshake();

    public async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, object body)
    {
        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await _http.PostAsync(path, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, JsonDocument.Parse(bytes).RootElement.Clone());
    }

    public static string Body(int sender, int sequence, int size)
    {
        var head = $"{sender}:{sequence}:";
        return head.Length >= size ? head : head + new string('x', size - head.Length);
    }

    public void Dispose() => _http.Dispose();

    public static (int Sender, int Sequence) ParseBody(string body)
    {
        var parts = body.Split(':', 3);
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string Id(int sender, int sequence) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{sender}-{sequence}");

    public override string ToString() => new StringBuilder().Append("identity ").Append(Index).ToString();
}
