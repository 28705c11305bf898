using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace PeerServ.Auth.Server;

/// <summary>
/// The client address a per-address limit is keyed on: the connection's remote address (the real client's, once
/// forwarded headers from a configured proxy have been applied), IPv4 as is, IPv6 by its /64 — one IPv6 customer
/// usually holds a whole /64, so per-/128 buckets would be no limit at all.
/// </summary>
public static class ClientAddress
{
    public static string PartitionKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PartitionKey(context.Connection.RemoteIpAddress);
    }

    /// <summary>
    /// The client's address as the forwarded-headers middleware configured from <see cref="ForwardedNetworkOptions"/>
    /// makes it, for a connection served without that middleware: the right-most X-Forwarded-For entry when the
    /// connection comes from a trusted proxy (and the entry is an address), the connection's own address otherwise.
    /// </summary>
    public static IPAddress? Behind(IPAddress? remote, string? forwardedFor, ForwardedHeadersOptions trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        if (remote is null || string.IsNullOrWhiteSpace(forwardedFor) || !IsTrusted(remote, trusted))
        {
            return remote;
        }

        var last = forwardedFor[(forwardedFor.LastIndexOf(',') + 1)..].Trim();
        return IPEndPoint.TryParse(last, out var endPoint) ? endPoint.Address : remote;
    }

    private static bool IsTrusted(IPAddress remote, ForwardedHeadersOptions trusted)
    {
        var v4 = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        return trusted.KnownProxies.Contains(remote) || trusted.KnownProxies.Contains(v4)
            || trusted.KnownIPNetworks.Any(network => network.Contains(remote) || network.Contains(v4));
    }

    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
