using System.Net;
using System.Text;
using System.Text.Json;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;

namespace PeerServ.Tests.Relay;

public enum ClientProtocol
{
    Brc104,
    Authrite,
}

/// <summary>One identity talking to a relay through our BRC-104 (or BRC-31) client handler.</summary>
public sealed class RelayClient : IDisposable
{
    private readonly HttpClient _http;

    public RelayClient(PrivateKey key, Uri baseAddress, HttpMessageHandler inner, ClientProtocol protocol = ClientProtocol.Brc104)
    {
        Key = key;
        _http = new HttpClient(protocol == ClientProtocol.Authrite ? new AuthriteClientHandler(key, inner) : new Brc104ClientHandler(key, inner))
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public PrivateKey Key { get; }

    public string Identity => Key.PublicKey.Hex;

    public async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string json)
    {
        using var response = await _http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return await ReadAsync(path, response);
    }

    public Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, object body) => PostAsync(path, JsonSerializer.Serialize(body));

    /// <summary>A signed GET (no body, no content type, as AuthFetch sends it); the answer must be JSON.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(new Uri(pathAndQuery, UriKind.Relative));
        return await ReadAsync(pathAndQuery, response);
    }

    /// <summary>Every relay answer is JSON: the status and the parsed body, or an error quoting what came instead.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Json)> ReadAsync(string target, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"{target} answered {(int)response.StatusCode} with a body that is not JSON: {text}");
        }
    }

    public Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(string recipient, string box, string body, string? messageId = null) =>
        PostAsync("/sendMessage", messageId is null
            ? new { message = new { recipient, messageBox = box, body } }
            : new { message = new { recipient, messageBox = box, body, messageId } });

    public async Task<JsonElement[]> ListAsync(string box)
    {
        var (status, json) = await PostAsync("/listMessages", new { messageBox = box });
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"listMessages answered {(int)status}: {json}");
        }

        return [.. json.GetProperty("messages").EnumerateArray()];
    }

    public Task<(HttpStatusCode Status, JsonElement Json)> AckAsync(params string[] ids) => PostAsync("/acknowledgeMessage", new { messageIds = ids });

    public void Dispose() => _http.Dispose();
}

public static class JsonElementExtensions
{
    public static string Str(this JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) ? value.GetString()! : throw new InvalidOperationException($"No '{property}' in {e}");

    public static string Code(this JsonElement e) => e.Str("code");
}
