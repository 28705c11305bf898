using System.Net;
using System.Net.Http.Json;
using System.Text;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Tests;

public sealed partial class Brc104RoundTripTests : IAsyncLifetime
{
    private readonly PrivateKey _serverKey = PrivateKey.Generate();
    private readonly PrivateKey _clientKey = PrivateKey.Generate();
    private AuthTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await AuthTestHost.StartAsync(_serverKey);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Post_SignedByClient_HandlerSeesSessionIdentityAndResponseVerifies()
    {
        using var client = _host.Brc104Client(_clientKey);

        using var response = await client.PostAsync("/echo", new StringContent("{\"hello\":\"wörld 🌍\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var json = await AuthTestHost.JsonOf(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_clientKey.PublicKey.Hex, json.Str("identity"));
        Assert.Equal("Brc104", json.Str("protocol"));
        Assert.Equal("{\"hello\":\"wörld 🌍\"}", json.Str("body"));
    }

    [Fact]
    public async Task Get_WithQueryAndSignedResponseHeader_Verifies()
    {
        using var client = _host.Brc104Client(_clientKey);

        using var response = await client.GetAsync("/ping?a=1&b=t%C3%BCp", TestContext.Current.CancellationToken);
        var json = await AuthTestHost.JsonOf(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?a=1&b=t%C3%BCp", json.Str("query"));
        Assert.Equal("abc", response.Headers.GetValues("x-bsv-custom").Single());
    }

    [Fact]
    public async Task Post_BodyTamperedAfterSigning_Unsigned401AuthFailed()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Content = new StringContent("{\"hello\":\"evil\"}", Encoding.UTF8, "application/json");
            return Task.CompletedTask;
        });
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { hello = "good" }));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_AUTH_FAILED", error.Code);
        Assert.All(tamper.Seen.Where(s => s.Path == "/echo"), s => Assert.Equal((401, false), (s.Status, s.Signed)));
        Assert.Equal(2, tamper.Seen.Count(s => s.Path == "/echo"));
    }

    [Theory]
    [InlineData("/ping?a=2")]
    [InlineData("/ping/other?a=1")]
    [InlineData("/ping")]
    public async Task Get_PathOrQueryTamperedAfterSigning_Unsigned401(string tamperedTarget)
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.RequestUri = new Uri(_host.BaseAddress, tamperedTarget);
            return Task.CompletedTask;
        });
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.GetAsync("/ping?a=1"));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_AUTH_FAILED", error.Code);
    }

    [Fact]
    public async Task Post_IdentityHeaderSwappedToAnotherKey_Rejected401AndHandlerNeverRuns()
    {
        var other = PrivateKey.Generate().PublicKey.Hex;
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-bsv-auth-identity-key");
            request.Headers.TryAddWithoutValidation("x-bsv-auth-identity-key", other);
            return Task.CompletedTask;
        });
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { x = 1 }));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_INVALID_AUTH_IDENTITY", error.Code);
    }

    [Fact]
    public async Task Request_ReplayedVerbatim_SecondIsRejected401()
    {
        var recorder = new TamperHandler(_host.Server.CreateHandler());
        using var client = _host.Brc104Client(_clientKey, recorder);
        using var first = await client.PostAsJsonAsync("/echo", new { n = 1 }, TestContext.Current.CancellationToken);
        using var replay = recorder.CopyOfLast("{\"n\":1}");

        using var raw = _host.RawClient();
        using var replayed = await raw.SendAsync(replay, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("ERR_NONCE_REPLAYED", (await AuthTestHost.JsonOf(replayed)).Str("code"));
        Assert.False(replayed.Headers.Contains("x-bsv-auth-signature"));
    }

    [Fact]
    public async Task Session_IdleLongerThanTimeout_Unsigned401ThenClientRehandshakesAndSucceeds()
    {
        var recorder = new TamperHandler(_host.Server.CreateHandler());
        using var client = _host.Brc104Client(_clientKey, recorder);
        using var first = await client.PostAsJsonAsync("/echo", new { n = 1 }, TestContext.Current.CancellationToken);

        _host.Time.Advance(TimeSpan.FromMinutes(31));
        using var second = await client.PostAsJsonAsync("/echo", new { n = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(
            [("/.well-known/auth", 200, true), ("/echo", 200, true), ("/echo", 401, false), ("/.well-known/auth", 200, true), ("/echo", 200, true)],
            recorder.Seen);
    }

    [Fact]
    public async Task Session_UsedWithinTimeout_StaysAlive()
    {
        var recorder = new TamperHandler(_host.Server.CreateHandler());
        using var client = _host.Brc104Client(_clientKey, recorder);
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsJsonAsync("/echo", new { i }, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _host.Time.Advance(TimeSpan.FromMinutes(20));
        }

        Assert.Equal(1, recorder.Seen.Count(s => s.Path == "/.well-known/auth"));
    }

    [Fact]
    public async Task Request_NoAuthAtAll_Unsigned401()
    {
        using var raw = _host.RawClient();

        using var response = await raw.PostAsync("/echo", new StringContent("{}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await AuthTestHost.JsonOf(response)).Str("code"));
    }

    [Fact]
    public async Task Request_BodyOverLimit_Unsigned413BeforeVerification()
    {
        using var client = _host.Brc104Client(_clientKey);

        // Nothing is signed before the request verifies: the refusal is unsigned, which the client handler reports.
        var refused = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsync("/echo", new StringContent(new string('x', 70 * 1024)), TestContext.Current.CancellationToken));

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "ERR_REQUEST_TOO_LARGE"), (refused.StatusCode, refused.Code));
    }

    [Fact]
    public async Task Handler_Throws_Signed500WithJsonError()
    {
        using var client = _host.Brc104Client(_clientKey);

        using var response = await client.PostAsJsonAsync("/boom", new { }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_INTERNAL", (await AuthTestHost.JsonOf(response)).Str("code"));
    }

    [Fact]
    public async Task Handler_ReturnsNoContent_Signed200WithNonEmptyBody()
    {
        using var client = _host.Brc104Client(_clientKey);

        using var response = await client.PostAsJsonAsync("/empty", new { }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"success\"}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnknownRoute_AfterAuth_Signed404Json()
    {
        using var client = _host.Brc104Client(_clientKey);

        using var response = await client.PostAsJsonAsync("/nowhere", new { }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ERR_ROUTE_NOT_FOUND", (await AuthTestHost.JsonOf(response)).Str("code"));
    }

    [Fact]
    public async Task Response_TamperedInFlight_ClientRefusesIt()
    {
        var tamper = new ResponseTamperHandler(_host.Server.CreateHandler());
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { x = 1 }));

        Assert.Contains("signature", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Session_OpenedOnOneReplica_HonouredByAnotherWithSameKey()
    {
        await using var replica = await AuthTestHost.StartAsync(_serverKey, time: _host.Time);
        var router = new SwitchingHandler(_host.Server.CreateHandler(), replica.Server.CreateHandler());
        using var client = _host.Brc104Client(_clientKey, router);

        using var first = await client.PostAsJsonAsync("/echo", new { n = 1 }, TestContext.Current.CancellationToken);
        router.UseSecond = true;
        using var second = await client.PostAsJsonAsync("/echo", new { n = 2 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(_clientKey.PublicKey.Hex, (await AuthTestHost.JsonOf(second)).Str("identity"));
        Assert.Equal(1, router.Handshakes);
    }

    [Fact]
    public async Task Session_FromServerWithAnotherKey_IsUnknownAndPinnedClientRefusesTheStranger()
    {
        await using var stranger = await AuthTestHost.StartAsync(PrivateKey.Generate(), time: _host.Time);
        var router = new SwitchingHandler(_host.Server.CreateHandler(), stranger.Server.CreateHandler());
        using var client = new HttpClient(new Brc104ClientHandler(_clientKey, router, _serverKey.PublicKey)) { BaseAddress = _host.BaseAddress };
        using var first = await client.PostAsJsonAsync("/echo", new { n = 1 }, TestContext.Current.CancellationToken);
        router.UseSecond = true;

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { n = 2 }));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("not the expected", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, router.Handshakes);
    }

    [Fact]
    public async Task AnonymousPath_ServedUnsigned()
    {
        using var raw = _host.RawClient();

        using var response = await raw.GetAsync("/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"version\":\"0.1\",\"messageType\":\"initialRequest\",\"identityKey\":\"02ab\",\"initialNonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}")]
    [InlineData("{\"version\":\"0.2\",\"messageType\":\"initialRequest\"}")]
    [InlineData("{\"version\":\"0.1\",\"messageType\":\"general\"}")]
    public async Task Handshake_BadInput_400Json(string body)
    {
        using var raw = _host.RawClient();

        using var response = await raw.PostAsync("/.well-known/auth", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("ERR_", (await AuthTestHost.JsonOf(response)).Str("code"), StringComparison.Ordinal);
    }
}
