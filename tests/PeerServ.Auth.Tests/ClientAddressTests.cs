using System.Net;
using Microsoft.AspNetCore.Builder;
using PeerServ.Auth.Server;
using IPNetwork = System.Net.IPNetwork;

namespace PeerServ.Auth.Tests;

/// <summary>The client address a connection served without the forwarded-headers middleware is keyed on: as that middleware would make it.</summary>
public sealed class ClientAddressTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.1.2.3");

    private static ForwardedHeadersOptions Trusting(string network)
    {
        var options = new ForwardedHeadersOptions();
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Add(IPNetwork.Parse(network));
        return options;
    }

    [Fact]
    public void FromATrustedProxy_TheRightMostForwardedEntryIsTheClient()
    {
        var client = ClientAddress.Behind(Proxy, "198.51.100.1, 203.0.113.7", Trusting("10.0.0.0/8"));

        Assert.Equal(IPAddress.Parse("203.0.113.7"), client);
    }

    [Fact]
    public void FromATrustedProxyAsAnIPv4MappedAddress_TheHeaderIsStillBelieved()
    {
        var client = ClientAddress.Behind(Proxy.MapToIPv6(), "203.0.113.7", Trusting("10.0.0.0/8"));

        Assert.Equal(IPAddress.Parse("203.0.113.7"), client);
    }

    [Fact]
    public void FromAnyoneElse_TheHeaderIsIgnored()
    {
        var stranger = IPAddress.Parse("192.0.2.9");

        Assert.Equal(stranger, ClientAddress.Behind(stranger, "203.0.113.7", Trusting("10.0.0.0/8")));
        Assert.Equal(Proxy, ClientAddress.Behind(Proxy, "203.0.113.7", new ForwardedHeadersOptions().WithoutDefaults()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not an address")]
    public void AMissingOrUnreadableHeader_LeavesTheConnectionsAddress(string? forwardedFor)
    {
        Assert.Equal(Proxy, ClientAddress.Behind(Proxy, forwardedFor, Trusting("10.0.0.0/8")));
    }
}

internal static class ForwardedHeadersOptionsTestExtensions
{
    /// <summary>ASP.NET Core trusts loopback by default; the relay's configuration clears that, and so does this.</summary>
    public static ForwardedHeadersOptions WithoutDefaults(this ForwardedHeadersOptions options)
    {
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        return options;
    }
}
