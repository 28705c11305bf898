using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.ServiceDefaults.Tests;

/// <summary>
/// The relay endpoint pipeline on a throwaway endpoint family: a handler gets a verified caller and a parsed request
/// or never runs; GETs parse their query string through the same pipeline; every refusal is a catalogue error.
/// </summary>
public sealed class RelayEndpointsTests : IAsyncLifetime
{
    private static readonly RelayOperation ProbeGet = new("ProbeGet", "GET", "/probe", "test", "A GET with a query", null, typeof(ProbeAnswer), [RelayErrors.MessageBoxRequired]);
    private static readonly RelayOperation ProbePost = new("ProbePost", "POST", "/probe", "test", "A POST with a body", typeof(ProbeAnswer), typeof(ProbeAnswer), [RelayErrors.MessageBoxRequired]);
    private readonly PrivateKey _caller = PrivateKey.Generate();
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private int _handled;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOptions<RelayOptions>().Configure(o => o.MaxListRequestBytes = 1024);
        _app = builder.Build();
        // Stands in for the auth middleware: the caller named by a header becomes the verified identity.
        _app.Use((context, next) =>
        {
            if (PublicKey.TryParse(context.Request.Headers["x-test-caller"].ToString(), out var key))
            {
                context.Features.Set(new PeerIdentity(key, AuthProtocol.Brc104));
            }

            return next(context);
        });
        _app.MapRelay(ProbeGet, Handle);
        _app.MapRelay(ProbePost, Handle);
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    [Fact]
    public async Task Get_ValidQuery_HandlerGetsCallerAndParsedRequest()
    {
        var (status, json) = await SendAsync(HttpMethod.Get, "/probe?messageBox=inbox", null, _caller);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("inbox", json.GetProperty("box").GetString());
        Assert.Equal(_caller.PublicKey.Hex, json.GetProperty("caller").GetString());
    }

    [Fact]
    public async Task Get_QueryFailsToParse_CatalogueErrorAndHandlerNeverRuns()
    {
        var (status, json) = await SendAsync(HttpMethod.Get, "/probe", null, _caller);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("error", "ERR_MESSAGEBOX_REQUIRED"), (json.GetProperty("status").GetString(), json.GetProperty("code").GetString()));
        Assert.Equal(0, _handled);
    }

    [Fact]
    public async Task AnyCall_WithoutVerifiedCaller_401AuthRequired()
    {
        var (status, json) = await SendAsync(HttpMethod.Get, "/probe?messageBox=inbox", null, caller: null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("ERR_AUTH_REQUIRED", json.GetProperty("code").GetString());
        Assert.Equal(0, _handled);
    }

    [Theory]
    [InlineData("{\"messageBox\":\"inbox\"}", HttpStatusCode.OK, null)]
    [InlineData("{not json", HttpStatusCode.BadRequest, "ERR_INVALID_JSON")]
    [InlineData("[1,2]", HttpStatusCode.BadRequest, "ERR_INVALID_JSON")]
    [InlineData("{\"messageBox\":\" padded\"}", HttpStatusCode.BadRequest, "ERR_INVALID_MESSAGEBOX")]
    public async Task Post_Body_ParsedOrRefusedWithItsCode(string body, HttpStatusCode expected, string? code)
    {
        var (status, json) = await SendAsync(HttpMethod.Post, "/probe", body, _caller);

        Assert.Equal(expected, status);
        Assert.Equal(code, code is null ? null : json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Post_BodyOverTheEndpointLimit_413BeforeParsing()
    {
        var (status, json) = await SendAsync(HttpMethod.Post, "/probe", "{\"messageBox\":\"" + new string('a', 2000) + "\"}", _caller);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("ERR_REQUEST_TOO_LARGE", json.GetProperty("code").GetString());
        Assert.Contains("1024", json.GetProperty("description").GetString()!, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ProbeAnswer> Handle(RelayCall<ProbeRequest> call)
    {
        Interlocked.Increment(ref _handled);
        return TypedResults.Json(new ProbeAnswer(call.Request.Box, call.CallerKey));
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(HttpMethod method, string path, string? body, PrivateKey? caller)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (caller is not null)
        {
            request.Headers.Add("x-test-caller", caller.PublicKey.Hex);
        }

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone());
    }

    public sealed record ProbeAnswer(string Box, string Caller);

    /// <summary>A request read from a body (POST) or the query string (GET), with the shared box rule.</summary>
    public sealed record ProbeRequest(string Box) : IRelayRequest<ProbeRequest>
    {
        public static Parsed<ProbeRequest> Parse(RelayInput input, RelayOptions options)
        {
            if (input.Body.ValueKind == JsonValueKind.Object)
            {
                var box = RelayFields.ReadBox(input.Body);
                return box.Succeeded ? new ProbeRequest(box.Value) : box.Error;
            }

            var query = input.Query["messageBox"].ToString();
            return query.Length == 0 ? RelayErrors.MessageBoxRequired : RelayFields.BoxError(query) is { } error ? error : new ProbeRequest(query);
        }
    }
}
