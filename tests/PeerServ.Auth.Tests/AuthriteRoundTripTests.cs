using System.Net;
using System.Text;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Tests;

public sealed class AuthriteRoundTripTests : IAsyncLifetime
{
    private readonly PrivateKey _serverKey = PrivateKey.Generate();
    private readonly PrivateKey _clientKey = PrivateKey.Generate();
    private AuthTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await AuthTestHost.StartAsync(_serverKey);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("0.2")]
    [InlineData("0.1")]
    public async Task Post_EitherVersion_HandlerSeesIdentityAndResponseVerifies(string version)
    {
        using var client = _host.AuthriteClient(_clientKey, version: version);

        using var response = await client.PostAsync("/echo", Json("{\"a\":\"ü\"}"), TestContext.Current.CancellationToken);
        var json = await AuthTestHost.JsonOf(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_clientKey.PublicKey.Hex, json.Str("identity"));
        Assert.Equal("Authrite", json.Str("protocol"));
        Assert.Equal("{\"a\":\"ü\"}", json.Str("body"));
        Assert.Equal(version, response.Headers.GetValues("x-authrite").Single());
    }

    [Fact]
    public async Task Get_UrlIsSigned_Verifies()
    {
        using var client = _host.AuthriteClient(_clientKey);

        using var response = await client.GetAsync("/ping?x=1", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?x=1", (await AuthTestHost.JsonOf(response)).Str("query"));
    }

    [Fact]
    public async Task Post_BodyTampered_401InvalidSignature()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Content = Json("{\"a\":\"evil\"}");
            return Task.CompletedTask;
        });
        using var client = _host.AuthriteClient(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsync("/echo", Json("{\"a\":\"good\"}")));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_AUTHRITE_INVALID_SIGNATURE", error.Code);
    }

    [Fact]
    public async Task Get_QueryTampered_401InvalidSignature()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.RequestUri = new Uri(_host.BaseAddress, "/ping?x=2");
            return Task.CompletedTask;
        });
        using var client = _host.AuthriteClient(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.GetAsync("/ping?x=1"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_AUTHRITE_INVALID_SIGNATURE", error.Code);
    }

    [Fact]
    public async Task Post_IdentityHeaderSwappedToAnotherKey_401AndNeverServedAsThatKey()
    {
        var victim = PrivateKey.Generate().PublicKey.Hex;
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-authrite-identity-key");
            request.Headers.TryAddWithoutValidation("x-authrite-identity-key", victim);
            return Task.CompletedTask;
        });
        using var client = _host.AuthriteClient(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsync("/echo", Json("{}")));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_AUTHRITE_INVALID_SIGNATURE", error.Code);
    }

    [Fact]
    public async Task Request_ReplayedVerbatim_SecondIsRejected401()
    {
        var recorder = new TamperHandler(_host.Server.CreateHandler());
        using var client = _host.AuthriteClient(_clientKey, recorder);
        using var first = await client.PostAsync("/echo", Json("{\"n\":1}"), TestContext.Current.CancellationToken);
        using var replay = recorder.CopyOfLast("{\"n\":1}");

        using var raw = _host.RawClient();
        using var replayed = await raw.SendAsync(replay, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("ERR_NONCE_REPLAYED", (await AuthTestHost.JsonOf(replayed)).Str("code"));
    }

    [Fact]
    public async Task Request_ServerNonceNotIssuedByUs_401BadServerNonce()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-authrite-yournonce");
            request.Headers.TryAddWithoutValidation("x-authrite-yournonce", Convert.ToBase64String(new byte[32]));
            return Task.CompletedTask;
        });
        using var client = _host.AuthriteClient(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsync("/echo", Json("{}")));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_AUTHRITE_BAD_SERVER_NONCE", error.Code);
    }

    [Theory]
    [InlineData("x-authrite", "0.3", "ERR_AUTHRITE_VERSION_MISMATCH")]
    [InlineData("x-authrite-signature", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-authrite-initialnonce", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-authrite-certificates", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-authrite-certificates", "{not json", "ERR_AUTHRITE_BAD_CERTS")]
    [InlineData("x-authrite-signature", "xyz", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-authrite-nonce", "@@@@", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-authrite-initialnonce", "@@@@", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-authrite-identity-key", "04zz", "ERR_INVALID_AUTH_HEADER")]
    public async Task Request_WrongVersionOrMissingOrMalformedHeader_400WithCode(string header, string? value, string code)
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove(header);
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(header, value);
            }

            return Task.CompletedTask;
        });
        using var client = _host.AuthriteClient(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsync("/echo", Json("{}")));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(code, error.Code);
    }

    [Theory]
    [InlineData("{\"identityKey\":\"02ab\",\"nonce\":\"AAAA\"}", "ERR_MISSING_AUTHRITE_VERSION")]
    [InlineData("{\"authrite\":\"9.9\",\"identityKey\":\"02ab\",\"nonce\":\"AAAA\"}", "ERR_AUTHRITE_VERSION_MISMATCH")]
    [InlineData("{\"authrite\":\"0.2\"}", "ERR_AUTHRITE_MISSING_INITIAL_REQUEST_PARAMS")]
    [InlineData("{\"authrite\":\"0.2\",\"identityKey\":\"nothex\",\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", "ERR_INVALID_IDENTITY_KEY")]
    [InlineData("nope", "ERR_BAD_REQUEST_BODY")]
    public async Task Handshake_BadInput_400WithCode(string body, string code)
    {
        using var raw = _host.RawClient();

        using var response = await raw.PostAsync("/authrite/initialRequest", Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await AuthTestHost.JsonOf(response)).Str("code"));
    }

    [Fact]
    public async Task Preflight_Options_AllowsAndExposesAuthHeaders()
    {
        using var raw = _host.RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/echo");
        request.Headers.Add("Origin", "https://wallet.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "x-authrite,x-bsv-auth-nonce");

        using var response = await raw.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Response_ExposesAuthHeadersToBrowsers()
    {
        using var client = _host.AuthriteClient(_clientKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = Json("{}") };
        request.Headers.Add("Origin", "https://wallet.example");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var exposed = string.Join(",", response.Headers.GetValues("Access-Control-Expose-Headers"));

        Assert.Contains("x-authrite-signature", exposed, StringComparison.Ordinal);
        Assert.Contains("x-bsv-auth-signature", exposed, StringComparison.Ordinal);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
