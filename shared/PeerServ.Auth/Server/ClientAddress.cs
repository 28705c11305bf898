using System.Net;
using System.Net.Sockets;
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
