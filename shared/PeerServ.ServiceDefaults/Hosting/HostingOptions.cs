using Microsoft.Extensions.Configuration;

namespace PeerServ.ServiceDefaults.Hosting;

/// <summary>
/// Where a host listens, beyond what ASP.NET Core decides itself. The public listener is ASP.NET Core's own choice, in
/// its order: --urls / ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS / HTTP_PORTS and HTTPS_PORTS on every interface (what
/// the official container images set); only when it found none is <see cref="DefaultUrl"/> used (<see cref="Listeners"/>).
/// Metrics go to <see cref="ManagementUrl"/> ("Management:Url") on a listener of their own, a port the gateway never
/// routes; empty serves /metrics on the public listener instead. Bound to the "Management" section.
/// </summary>
public sealed class HostingOptions
{
    public const string SectionName = "Management";

    /// <summary>The host's own listener when no URL or port setting is given (the host's default).</summary>
    public string DefaultUrl { get; set; } = "http://localhost:5000";

    /// <summary>The metrics listener: "Management:Url" (Management__Url), empty for none.</summary>
    [ConfigurationKeyName("Url")]
    public string? ManagementUrl { get; set; } = "http://localhost:9464";

    /// <summary>The management listener's URL, or null when metrics are served on the public listener.</summary>
    public Uri? Management() => string.IsNullOrWhiteSpace(ManagementUrl) ? null : new Uri(ManagementUrl);
}
