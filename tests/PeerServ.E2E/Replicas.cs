using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PeerServ.E2E;

/// <summary>One replica of a compose service, found through the compose network's DNS (one address per replica).</summary>
internal sealed record Replica(string Service, IPAddress Address)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static async Task<IReadOnlyList<Replica>> AllAsync(string service) =>
        [.. (await Dns.GetHostAddressesAsync(service, AddressFamily.InterNetwork)).OrderBy(a => a.ToString(), StringComparer.Ordinal).Select(a => new Replica(service, a))];

    /// <summary>The value of one Prometheus series of this replica's management listener (:9464), summed over its labels.</summary>
    public async Task<double> MetricAsync(string name)
    {
        var text = await Http.GetStringAsync(new Uri($"http://{Address}:9464/metrics"));
        return text.Split('\n')
            .Where(line => line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is ' ' or '{')
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public override string ToString() => $"{Service}@{Address}";
}
