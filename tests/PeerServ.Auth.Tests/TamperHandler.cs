namespace PeerServ.Auth.Tests;

/// <summary>Sits between the client auth handler and the server: changes requests after signing, records answers.</summary>
internal sealed class TamperHandler(HttpMessageHandler inner, Func<HttpRequestMessage, Task>? tamper = null) : DelegatingHandler(inner)
{
    public List<(string Path, int Status, bool Signed)> Seen { get; } = [];

    public List<HttpRequestMessage> Sent { get; } = [];

    public Func<HttpRequestMessage, Task>? Tamper { get; set; } = tamper;

    /// <summary>The last request sent, headers and all, with <paramref name="json"/> as its body: a replay.</summary>
    public HttpRequestMessage CopyOfLast(string json)
    {
        var original = Sent.Last();
        var copy = new HttpRequestMessage(original.Method, original.RequestUri)
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isHandshake = request.RequestUri!.AbsolutePath is "/.well-known/auth" or "/authrite/initialRequest";
        if (!isHandshake && Tamper is not null)
        {
            await Tamper(request);
        }

        Sent.Add(request);
        var response = await base.SendAsync(request, cancellationToken);
        Seen.Add((request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Headers.Contains("x-bsv-auth-signature") || response.Headers.Contains("x-authrite-signature")));
        return response;
    }
}
