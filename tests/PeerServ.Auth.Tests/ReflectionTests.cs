using System.Net;
using System.Text;
using PeerServ.Auth.Client;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;

namespace PeerServ.Auth.Tests;

/// <summary>
/// Nobody authenticates as the server itself or as the "anyone" key (private key 1): with the server's key as the
/// counterparty its own signatures would verify as a client's, and everybody holds the anyone key.
/// </summary>
public sealed class ReflectionTests : IAsyncLifetime
{
    private readonly PrivateKey _serverKey = PrivateKey.Generate();
    private AuthTestHost _host = null!;

    public static TheoryData<string> ForbiddenKeys() => ["server", ServerIdentity.AnyoneKeyHex];

    public async ValueTask InitializeAsync() => _host = await AuthTestHost.StartAsync(_serverKey);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [MemberData(nameof(ForbiddenKeys))]
    public async Task Handshakes_ForbiddenIdentity_400InvalidIdentityKey(string key)
    {
        var identity = key == "server" ? _serverKey.PublicKey.Hex : key;
        using var raw = _host.RawClient();

        using var brc104 = await raw.PostAsync(new Uri("/.well-known/auth", UriKind.Relative), Json(
            $$"""{"version":"0.1","messageType":"initialRequest","identityKey":"{{identity}}","initialNonce":"{{Nonce()}}"}"""), TestContext.Current.CancellationToken);
        using var authrite = await raw.PostAsync(new Uri("/authrite/initialRequest", UriKind.Relative), Json(
            $$"""{"authrite":"0.2","messageType":"initialRequest","identityKey":"{{identity}}","nonce":"{{Nonce()}}"}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, brc104.StatusCode);
        Assert.Equal("ERR_INVALID_IDENTITY_KEY", (await AuthTestHost.JsonOf(brc104)).Str("code"));
        Assert.Equal(HttpStatusCode.BadRequest, authrite.StatusCode);
        Assert.Equal("ERR_INVALID_IDENTITY_KEY", (await AuthTestHost.JsonOf(authrite)).Str("code"));
    }

    [Fact]
    public async Task AuthriteRequest_ClaimingTheServerKey_400BeforeAnySignatureWork()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-authrite-identity-key");
            request.Headers.TryAddWithoutValidation("x-authrite-identity-key", _serverKey.PublicKey.Hex);
            return Task.CompletedTask;
        });
        using var client = _host.AuthriteClient(PrivateKey.Generate(), tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsync("/echo", Json("{}")));

        Assert.Equal((HttpStatusCode.BadRequest, "ERR_INVALID_AUTH_HEADER"), (error.StatusCode, error.Code));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Nonce() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
