using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PeerServ.ServiceDefaults.Hosting;

namespace PeerServ.ServiceDefaults.Tests;

/// <summary>What the host adds to the addresses ASP.NET Core chose from --urls / HTTP_PORTS before the server starts.</summary>
public sealed class ListenersTests
{
    [Fact]
    public void NoUrlOrPortSetting_TheHostDefaultAndTheManagementListener()
    {
        var server = new AddressesOnly();
        var port = FreePort();

        Apply(server, new HostingOptions { DefaultUrl = "http://localhost:8080", ManagementUrl = $"http://127.0.0.1:{port}" });

        Assert.Equal(["http://localhost:8080", $"http://127.0.0.1:{port}/"], server.Addresses);
    }

    [Fact]
    public void PortsFromTheEnvironment_KeptAsTheyAre_NoHostDefault()
    {
        var server = new AddressesOnly("http://*:8080");

        Apply(server, new HostingOptions { ManagementUrl = "" });

        Assert.Equal(["http://*:8080"], server.Addresses);
    }

    [Fact]
    public void ManagementPortTaken_LeftOut_TheHostStillGetsItsListener()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var server = new AddressesOnly("http://127.0.0.1:5001");

        Apply(server, new HostingOptions { ManagementUrl = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}" });

        Assert.Equal(["http://127.0.0.1:5001"], server.Addresses);
    }

    private static void Apply(AddressesOnly server, HostingOptions options) =>
        new Listeners(server, Options.Create(options), NullLogger<Listeners>.Instance).Configure(_ => { })(null!);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A server that only has the addresses ASP.NET Core fills from configuration.</summary>
    private sealed class AddressesOnly : IServer
    {
        private readonly ServerAddressesFeature _addresses = new();

        public AddressesOnly(params string[] fromConfiguration)
        {
            foreach (var address in fromConfiguration)
            {
                _addresses.Addresses.Add(address);
            }

            Features.Set<IServerAddressesFeature>(_addresses);
        }

        public ICollection<string> Addresses => _addresses.Addresses;

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
