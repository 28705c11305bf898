using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Server;
using PeerServ.Tests.Relay;

namespace PeerServ.Auth.Tests;

/// <summary>Bounded lifetimes: BRC-31 server nonces expire (and clients recover), BRC-104 sessions end however busy.</summary>
public sealed class NonceLifetimeTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuthriteServerNonce_PastItsLifetime_RefusedWithItsOwnCode_OurClientRenewsByItself()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), o => o.AuthriteServerNonceLifetime = TimeSpan.FromHours(1));
        var recorder = new TamperHandler(host.Server.CreateHandler());
        using var client = host.AuthriteClient(PrivateKey.Generate(), recorder);
        using var first = await client.PostAsync("/echo", Json("{\"n\":1}"), Ct);

        host.Time.Advance(TimeSpan.FromMinutes(61));
        using var raw = host.RawClient();
        using var stale = await raw.SendAsync(recorder.CopyOfLast("{\"n\":1}"), Ct);
        using var renewed = await client.PostAsync("/echo", Json("{\"n\":2}"), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode.Unauthorized, "ERR_AUTHRITE_EXPIRED_SERVER_NONCE"), (stale.StatusCode, (await AuthTestHost.JsonOf(stale)).Str("code")));
        Assert.False(stale.Headers.Contains("x-authrite-signature"));
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        Assert.Equal(2, recorder.Seen.Count(s => s.Path == "/authrite/initialRequest"));
    }

    [Fact]
    public async Task Brc104Session_PastItsMaximumLifetime_EndsEvenWhileBusy_ClientHandshakesAgain()
    {
        await using var host = await AuthTestHost.StartAsync(PrivateKey.Generate(), o =>
        {
            o.SessionIdleTimeout = TimeSpan.FromDays(7);
            o.SessionMaxLifetime = TimeSpan.FromHours(2);
        });
        var recorder = new TamperHandler(host.Server.CreateHandler());
        using var client = host.Brc104Client(PrivateKey.Generate(), recorder);
        for (var hour = 0; hour < 4; hour++)
        {
            using var response = await client.PostAsJsonAsync("/echo", new { hour }, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            host.Time.Advance(TimeSpan.FromMinutes(59));
        }

        Assert.Equal(2, recorder.Seen.Count(s => s.Path == "/.well-known/auth"));
        Assert.Contains(recorder.Seen, s => s.Path == "/echo" && s.Status == 401 && !s.Signed);
    }

    [Fact]
    public void ReplayWindowShorterThanTheServerNonceLifetime_HostDoesNotStart()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Auth:ServerPrivateKey"] = PrivateKey.Generate().ToHex();
        builder.Configuration["Auth:AuthriteReplayWindow"] = "00:30:00";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddPeerServAuth();
        using var app = builder.Build();

        var error = Assert.ThrowsAny<Exception>(() => app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PeerServAuthOptions>>().Value);

        Assert.Contains("AuthriteReplayWindow", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The real authrite-js keeps its server nonce for the life of the client: refused once it expires, renewed by getServerParameters.</summary>
    [Fact]
    public async Task RealAuthriteJs_ServerNonceExpires_RefusedThenRecoversByRenewingIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration["Auth:ServerPrivateKey"] = PrivateKey.Generate().ToHex();
        builder.Configuration["Auth:AuthriteServerNonceLifetime"] = "00:00:02";
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddPeerServAuth();
        await using var app = builder.Build();
        app.UsePeerServAuth();
        app.MapPeerServAuthHandshakes();
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            return Results.Json(new { status = "success", body = await reader.ReadToEndAsync() });
        });
        await app.StartAsync(Ct);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        var result = await NodeClient.RunAsync("authrite-expiry.mjs", url, "3");

        Assert.Equal(200, result.GetProperty("before").GetProperty("status").GetInt32());
        Assert.Equal("ERR_MISSING_AUTHRITE_HEADERS", result.GetProperty("expired").GetProperty("error").GetString());
        Assert.Equal(200, result.GetProperty("renewed").GetProperty("status").GetInt32());
        Assert.Equal("{\"n\":3}", result.GetProperty("renewed").GetProperty("json").GetProperty("body").GetString());
        Assert.True(result.GetProperty("nonceRenewed").GetBoolean());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
