using Microsoft.Extensions.Time.Testing;
using PeerServ.Auth.Crypto;
using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;

namespace PeerServ.ServiceDefaults.Tests;

public sealed class GatewayAssertionTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly PeerIdentity _identity = new(PrivateKey.Generate().PublicKey, AuthProtocol.Brc104);
    private readonly GatewayAssertionOptions _options = new() { InternalSecret = new string('k', 40) };

    private static ReadOnlySpan<byte> Body => "{\"message\":{\"body\":\"hello\"}}"u8;

    [Fact]
    public void Verify_FreshAssertionFromTheSameSecret_YieldsTheIdentityOnce()
    {
        var gateway = new GatewayAssertion(_options, _time);
        var service = new GatewayAssertion(_options, _time);
        var assertion = gateway.Create(_identity, "POST", "/sendMessage", Body);

        var first = service.Verify(assertion, _identity.IdentityKey.Hex, "Brc104", null, "POST", "/sendMessage", Body, out _);
        var again = service.Verify(assertion, _identity.IdentityKey.Hex, "Brc104", null, "POST", "/sendMessage", Body, out var reason);

        Assert.Equal(_identity, first);
        Assert.Null(again);
        Assert.Contains("replayed", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("protocol")]
    [InlineData("requestNonce")]
    [InlineData("method")]
    [InlineData("path")]
    [InlineData("body")]
    [InlineData("mac")]
    [InlineData("garbage")]
    public void Verify_AnyPartChanged_Refused(string changed)
    {
        var gateway = new GatewayAssertion(_options, _time);
        var service = new GatewayAssertion(_options, _time);
        var assertion = gateway.Create(_identity with { RequestNonce = "bm9uY2Ux" }, "POST", "/sendMessage", Body);
        var identity = _identity.IdentityKey.Hex;
        var (protocol, requestNonce, method, path, body) = ("Brc104", "bm9uY2Ux", "POST", "/sendMessage", Body.ToArray());
        switch (changed)
        {
            case "identity": identity = PrivateKey.Generate().PublicKey.Hex; break;
            case "protocol": protocol = "Authrite"; break;
            case "requestNonce": requestNonce = "bm9uY2Uy"; break;
            case "method": method = "GET"; break;
            case "path": path = "/acknowledgeMessage"; break;
            case "body": body = "{\"message\":{\"body\":\"changed\"}}"u8.ToArray(); break;
            case "mac": assertion = assertion[..^4] + (assertion.EndsWith("AAA=", StringComparison.Ordinal) ? "BBB=" : "AAA="); break;
            default: assertion = "v3.not.an.assertion"; break;
        }

        Assert.Null(service.Verify(assertion, identity, protocol, requestNonce, method, path, body, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void Verify_OtherSecretOrOutsideTheClockWindow_Refused()
    {
        var forger = new GatewayAssertion(new GatewayAssertionOptions { InternalSecret = new string('x', 40) }, _time);
        var service = new GatewayAssertion(_options, _time);
        var forged = forger.Create(_identity, "POST", "/listMessages", Body);
        var stale = new GatewayAssertion(_options, _time).Create(_identity, "POST", "/listMessages", Body);

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Null(service.Verify(forged, _identity.IdentityKey.Hex, "Brc104", null, "POST", "/listMessages", Body, out _));
        Assert.Null(service.Verify(stale, _identity.IdentityKey.Hex, "Brc104", null, "POST", "/listMessages", Body, out var reason));
        Assert.Contains("time window", reason, StringComparison.Ordinal);
    }
}
