namespace PeerServ.Auth.Tests;

internal sealed class ResponseTamperHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri!.AbsolutePath != "/.well-known/auth")
        {
            response.Content = new StringContent("{\"status\":\"success\",\"identity\":\"forged\"}");
        }

        return response;
    }
}

internal sealed class SwitchingHandler(HttpMessageHandler first, HttpMessageHandler second) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _first = new(first);
    private readonly HttpMessageInvoker _second = new(second);

    public bool UseSecond { get; set; }

    public int Handshakes { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.AbsolutePath == "/.well-known/auth")
        {
            Handshakes++;
        }

        return (UseSecond ? _second : _first).SendAsync(request, cancellationToken);
    }
}
