using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using PeerServ.Auth.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PeerServ.ServiceDefaults;

/// <summary>What every deployable gets with one call: JSON logs, OpenTelemetry, health, ProblemDetails.</summary>
public static class ServiceDefaultsExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddKestrelLimitDefaults(builder.Configuration);
        builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter("MassTransit", RelayMetrics.MeterName, AuthMetrics.MeterName)
                .AddPrometheusExporter()
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (otlp)
        {
            // Traces cost an Activity per request and per hop; they are recorded only when someone collects them.
            otel.WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, "MassTransit")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation());
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Log levels, and Kestrel limits against slow and oversized clients, as the lowest-priority configuration
    /// source, so that appsettings and environment variables (Kestrel__Limits__…) still override each of them.
    /// </summary>
    private static void AddKestrelLimitDefaults(IConfigurationBuilder configuration)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Warning",
            ["Logging:LogLevel:Yarp"] = "Warning",
            ["Kestrel:AddServerHeader"] = "false",
            ["Kestrel:Limits:MaxRequestLineSize"] = "8192",
            ["Kestrel:Limits:MaxRequestHeadersTotalSize"] = "32768",
            ["Kestrel:Limits:MaxRequestHeaderCount"] = "64",
            ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:10",
            ["Kestrel:Limits:KeepAliveTimeout"] = "00:02:00",
            ["Kestrel:Limits:MaxRequestBodySize"] = "16777216",
            ["Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond"] = "240",
            ["Kestrel:Limits:MinRequestBodyDataRate:GracePeriod"] = "00:00:05",
        };
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
    }

    /// <summary>
    /// /health/live (the process answers) and /health/ready (store and bus reachable), in every environment; and
    /// Prometheus /metrics on the management listener only ("Management:Url", default http://localhost:9464;
    /// empty turns it off), a port that the gateway never routes and that need not be exposed publicly.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var management = app.Configuration["Management:Url"] ?? "http://localhost:9464";
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        if (!string.IsNullOrWhiteSpace(management) && addresses is not null)
        {
            var port = new Uri(management).Port;
            // The server binds only what app.Urls holds once anything is in it: add the public URLs Kestrel would have
            // chosen by itself, then the management one.
            foreach (var url in PublicUrls(app.Configuration))
            {
                app.Urls.Add(url);
            }

            app.Urls.Add(management);
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == port && context.Request.Path == "/metrics");
        }

        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
        });
        return app;
    }

    /// <summary>
    /// The public listener as ASP.NET Core picks it: --urls / ASPNETCORE_URLS, else ASPNETCORE_HTTP_PORTS /
    /// HTTP_PORTS and HTTPS_PORTS on every interface (what the official container images set), else Kestrel's
    /// http://localhost:5000.
    /// </summary>
    public static IReadOnlyList<string> PublicUrls(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const StringSplitOptions Split = StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries;
        if (configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls)
        {
            return urls.Split(';', Split);
        }

        var ports = (configuration[WebHostDefaults.HttpPortsKey] ?? "").Split(';', Split).Select(p => $"http://*:{p}")
            .Concat((configuration[WebHostDefaults.HttpsPortsKey] ?? "").Split(';', Split).Select(p => $"https://*:{p}"))
            .ToList();
        return ports.Count > 0 ? ports : ["http://localhost:5000"];
    }
}
