using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace PeerServ.ServiceDefaults.Hosting;

/// <summary>
/// Where a host listens. The public listener is ASP.NET Core's own choice, in its order: --urls / ASPNETCORE_URLS,
/// else ASPNETCORE_HTTP_PORTS / HTTP_PORTS and HTTPS_PORTS on every interface (what the official container images
/// set), else <see cref="DefaultUrl"/>. Metrics go to <see cref="ManagementUrl"/> ("Management:Url") on a listener
/// of their own, a port the gateway never routes; empty serves /metrics on the public listener instead.
/// </summary>
public sealed class HostingOptions
{
    [ConfigurationKeyName("urls")]
    public string? Urls { get; set; }

    [ConfigurationKeyName("http_ports")]
    public string? HttpPorts { get; set; }

    [ConfigurationKeyName("https_ports")]
    public string? HttpsPorts { get; set; }

    /// <summary>The host's own listener when none of the settings above is given.</summary>
    [Url]
    public string DefaultUrl { get; set; } = "http://localhost:5000";

    /// <summary>The metrics listener; set by "Management:Url" (Management__Url), empty for none.</summary>
    public string? ManagementUrl { get; set; } = "http://localhost:9464";

    /// <summary>The public URLs ASP.NET Core binds for these settings.</summary>
    public IReadOnlyList<string> PublicUrls()
    {
        const StringSplitOptions Split = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
        if (Urls is { Length: > 0 })
        {
            return Urls.Split(';', Split);
        }

        var ports = (HttpPorts ?? "").Split(';', Split).Select(p => $"http://*:{p}")
            .Concat((HttpsPorts ?? "").Split(';', Split).Select(p => $"https://*:{p}"))
            .ToList();
        return ports.Count > 0 ? ports : [DefaultUrl];
    }

    /// <summary>The management listener's URL, or null when metrics are served on the public listener.</summary>
    public Uri? Management() => string.IsNullOrWhiteSpace(ManagementUrl) ? null : new Uri(ManagementUrl);
}
