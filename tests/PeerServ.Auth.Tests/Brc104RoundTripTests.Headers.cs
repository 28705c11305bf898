using System.Net;
using System.Net.Http.Json;
using PeerServ.Auth.Client;

namespace PeerServ.Auth.Tests;

/// <summary>Wrong versions and missing, malformed or oversized BRC-104 headers: 4xx JSON errors, never a 500.</summary>
public sealed partial class Brc104RoundTripTests
{
    [Fact]
    public async Task Request_WrongVersion_400UnsupportedVersion()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-bsv-auth-version");
            request.Headers.TryAddWithoutValidation("x-bsv-auth-version", "1.0");
            return Task.CompletedTask;
        });
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { x = 1 }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ERR_UNSUPPORTED_AUTH_VERSION", error.Code);
    }

    [Theory]
    [InlineData("x-bsv-auth-signature", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-bsv-auth-nonce", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-bsv-auth-your-nonce", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-bsv-auth-identity-key", null, "ERR_MISSING_AUTH_HEADER")]
    [InlineData("x-bsv-auth-signature", "zz11", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-bsv-auth-signature", "3044", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-bsv-auth-nonce", "not base64!", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-bsv-auth-nonce", "AAAA", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-bsv-auth-request-id", "%%%", "ERR_INVALID_AUTH_HEADER")]
    [InlineData("x-bsv-auth-identity-key", "02abc", "ERR_INVALID_AUTH_HEADER")]
    public async Task Request_MissingOrMalformedHeader_400WithCode(string header, string? value, string code)
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
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { x = 1 }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task Request_OversizedHeader_400()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-bsv-auth-nonce");
            request.Headers.TryAddWithoutValidation("x-bsv-auth-nonce", new string('A', 5000));
            return Task.CompletedTask;
        });
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { x = 1 }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ERR_INVALID_AUTH_HEADER", error.Code);
    }

    [Fact]
    public async Task Request_UnknownServerNonce_Unsigned401SessionNotFound()
    {
        var tamper = new TamperHandler(_host.Server.CreateHandler(), request =>
        {
            request.Headers.Remove("x-bsv-auth-your-nonce");
            request.Headers.TryAddWithoutValidation("x-bsv-auth-your-nonce", Convert.ToBase64String(new byte[117]));
            return Task.CompletedTask;
        });
        using var client = _host.Brc104Client(_clientKey, tamper);

        var error = await Assert.ThrowsAsync<PeerServAuthException>(() => client.PostAsJsonAsync("/echo", new { x = 1 }));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("ERR_SESSION_NOT_FOUND", error.Code);
    }
}
