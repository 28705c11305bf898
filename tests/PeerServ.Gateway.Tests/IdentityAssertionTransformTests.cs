using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using Yarp.ReverseProxy.Transforms;

namespace PeerServ.Gateway.Tests;

/// <summary>What the gateway forwards: never a client's identity headers, always its own assertion of the verified caller.</summary>
public sealed class IdentityAssertionTransformTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly GatewayAssertionOptions _options = new() { InternalSecret = new string('g', 40) };

    [Fact]
    public async Task Apply_VerifiedCaller_ReplacesForgedHeadersWithAnAssertionTheServicesAccept()
    {
        var caller = new PeerIdentity(PrivateKey.Generate().PublicKey, AuthProtocol.Brc104) { RequestNonce = "cmVxdWVzdC1ub25jZQ==" };
        var forged = PrivateKey.Generate().PublicKey.Hex;
        var (context, proxied) = Request("/listMessages", caller);
        context.HttpContext.Features.Set(new VerifiedRequestBody(Body.ToArray()));
        foreach (var header in GatewayAssertion.Headers)
        {
            proxied.Headers.TryAddWithoutValidation(header, forged);
        }

        await new IdentityAssertionTransform(new GatewayAssertion(_options, _time)).ApplyAsync(context);

        Assert.Equal(caller.IdentityKey.Hex, Assert.Single(proxied.Headers.GetValues(GatewayAssertion.IdentityHeader)));
        var verified = new GatewayAssertion(_options, _time).Verify(
            Assert.Single(proxied.Headers.GetValues(GatewayAssertion.AssertionHeader)),
            caller.IdentityKey.Hex,
            Assert.Single(proxied.Headers.GetValues(GatewayAssertion.ProtocolHeader)),
            proxied.Headers.TryGetValues(GatewayAssertion.RequestNonceHeader, out var nonces) ? Assert.Single(nonces) : null,
            "POST",
            "/listMessages",
            Body,
            out var reason);
        Assert.True(verified == caller, reason);
        Assert.Equal("cmVxdWVzdC1ub25jZQ==", Assert.Single(proxied.Headers.GetValues(GatewayAssertion.RequestNonceHeader)));
    }

    [Fact]
    public async Task Apply_NoVerifiedCaller_ForwardsNoIdentityAtAll()
    {
        var (context, proxied) = Request("/health/live", caller: null);
        proxied.Headers.TryAddWithoutValidation(GatewayAssertion.IdentityHeader, PrivateKey.Generate().PublicKey.Hex);

        await new IdentityAssertionTransform(new GatewayAssertion(_options, _time)).ApplyAsync(context);

        Assert.All(GatewayAssertion.Headers, header => Assert.False(proxied.Headers.Contains(header), header));
    }

    private static ReadOnlySpan<byte> Body => "{\"messageBox\":\"inbox\"}"u8;

    private static (RequestTransformContext Context, HttpRequestMessage Proxied) Request(string path, PeerIdentity? caller)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Path = path;
        if (caller is not null)
        {
            http.Features.Set(caller);
        }

        var proxied = new HttpRequestMessage(HttpMethod.Post, new Uri("http://ingest:8080" + path));
        return (new RequestTransformContext { HttpContext = http, ProxyRequest = proxied, Path = path }, proxied);
    }
}
