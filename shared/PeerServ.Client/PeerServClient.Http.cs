using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeerServ.Auth.Client;
using PeerServ.Relay;
using PeerServ.Relay.Wire;

namespace PeerServ.Client;

/// <summary>The exchange with the relay: requests, queries, and every answer read as the relay's success or its refusal.</summary>
public sealed partial class PeerServClient
{
    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value!)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present);
    }

    private async Task<T> CallAsync<T>(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
        where T : RelaySuccess
    {
        using var request = Request(method, path, body);
        using var response = await SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private async Task<(T Reply, string ServerKey)> CallWithServerKeyAsync<T>(HttpMethod method, string path, CancellationToken cancellationToken)
        where T : RelaySuccess
    {
        using var request = Request(method, path, null);
        using var response = await SendAsync(request, cancellationToken);
        var reply = await ReadAsync<T>(response, cancellationToken);
        var key = response.Headers.TryGetValues("x-bsv-auth-identity-key", out var values) ? values.FirstOrDefault() : null;
        return (reply, key ?? throw new PeerServClientException(response.StatusCode, null, "The relay's answer carries no identity key."));
    }

    /// <summary>The exchange; a failed authentication (the relay's refusal, or an answer that does not verify) as a <see cref="PeerServClientException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, cancellationToken);
        }
        catch (PeerServAuthException e)
        {
            throw new PeerServClientException(e.StatusCode ?? HttpStatusCode.Unauthorized, e.Code, "Authentication failed: " + e.Message, e);
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, JsonObject? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(RelayJson.Options), Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
        where T : RelaySuccess
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new PeerServClientException(response.StatusCode, null, $"The relay answered {(int)response.StatusCode} with a body that is not JSON.", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (!response.IsSuccessStatusCode || root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.GetString() != "success")
            {
                var code = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var c) ? c.GetString() : null;
                var description = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("description", out var d) ? d.GetString() : null;
                throw new PeerServClientException(response.StatusCode, code, description ?? $"The relay answered {(int)response.StatusCode}.");
            }

            return root.Deserialize<T>(RelayJson.Options)
                ?? throw new PeerServClientException(response.StatusCode, null, "The relay's answer is empty.");
        }
    }
}
