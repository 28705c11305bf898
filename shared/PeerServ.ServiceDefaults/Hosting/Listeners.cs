using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PeerServ.ServiceDefaults.Hosting;

/// <summary>
/// Applies <see cref="HostingOptions"/> when the server starts. By then ASP.NET Core has put the URLs of --urls or
/// HTTP_PORTS into the server's addresses; this adds the host's default when it found none (Kestrel would otherwise
/// take localhost:5000) and the management listener, unless its port is taken, which costs the metrics, never the host.
/// </summary>
internal sealed partial class Listeners(IServer server, IOptions<HostingOptions> options, ILogger<Listeners> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is { IsReadOnly: false })
        {
            var hosting = options.Value;
            if (addresses.Count == 0)
            {
                addresses.Add(hosting.DefaultUrl);
            }

            if (hosting.Management() is { } management)
            {
                if (PortTaken(management) is { } reason)
                {
                    LogManagementPortTaken(logger, management.ToString(), reason);
                }
                else
                {
                    addresses.Add(management.ToString());
                }
            }
        }

        return next;
    }

    /// <summary>Why the management URL cannot be bound, or null when it can.</summary>
    private static string? PortTaken(Uri url)
    {
        IPAddress[] addresses = url.Host switch
        {
            "localhost" => Socket.OSSupportsIPv6 ? [IPAddress.Loopback, IPAddress.IPv6Loopback] : [IPAddress.Loopback],
            "*" or "+" or "[::]" or "" => [Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any],
            var host when IPAddress.TryParse(host.Trim('[', ']'), out var ip) => [ip],
            _ => [IPAddress.Any],
        };
        foreach (var address in addresses)
        {
            try
            {
                using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (address.Equals(IPAddress.IPv6Any))
                {
                    probe.DualMode = true;
                }

                probe.Bind(new IPEndPoint(address, url.Port));
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                return e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is in use" : "access to the port is denied";
            }
            catch (SocketException) when (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                // No IPv6 on this machine: Kestrel skips it too.
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, EventId = 1, Message = "No metrics listener: Management:Url {Url} cannot be bound ({Reason}). The relay runs without /metrics; set Management__Url to a free port, or to empty to serve /metrics on the public port.")]
    private static partial void LogManagementPortTaken(ILogger logger, string url, string reason);
}
