using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PeerServ.Auth.Server;
using PeerServ.Relay;
using PeerServ.Relay.Options;
using PeerServ.ServiceDefaults.Errors;
using PeerServ.ServiceDefaults.Hosting;

namespace PeerServ.ServiceDefaults;

/// <summary>What every host gets with one call: listeners, logs, OpenTelemetry, health, the relay options, the clock and the error handler.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Kestrel's socket transport (SocketTransport__UnsafePreferInlineScheduling, SocketTransport__IOQueueCount, …).</summary>
    public const string SocketTransportSection = "SocketTransport";

    /// <param name="hosting">The host's own defaults (its default URL, its metrics listener); configuration overrides them.</param>
    /// <param name="configurationDefaults">The host's own configuration defaults, over the shared ones and under every configuration source.</param>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<HostingOptions>? hosting = null, IReadOnlyDictionary<string, string?>? configurationDefaults = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddLowestPriorityDefaults(builder.Configuration, configurationDefaults);
        builder.Services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        builder.Services.Configure<SocketTransportOptions>(builder.Configuration.GetSection(SocketTransportSection));
        builder.AddListeners(hosting);
        builder.AddRelayLogging();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddValidatedOptions<RelayOptions>(RelayOptions.SectionName)
            .Validate(o => o.ListDefaultLimit <= o.ListMaxLimit, "Relay:ListDefaultLimit (Relay__ListDefaultLimit) must not exceed Relay:ListMaxLimit (Relay__ListMaxLimit).");
        builder.Services.AddExceptionHandler<RelayExceptionHandler>();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [HealthTags.Live]);
        builder.AddRelayTelemetry();
        return builder;
    }

    /// <summary>
    /// Everything the relay answers after this point, an unhandled exception included, is in the relay's error shape
    /// (<see cref="RelayExceptionHandler"/>). Behind the auth middleware, so that those answers are signed too.
    /// </summary>
    public static IApplicationBuilder UseRelayExceptionHandler(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = RelayExceptionHandler.WriteInternalAsync });

    /// <summary>
    /// /health/live (the process answers) and /health/ready (store and bus reachable), in every environment; and
    /// Prometheus /metrics, on the management listener when there is one, else on the public one.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<HostingOptions>>().Value.Management() is { } management)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Connection.LocalPort == management.Port && context.Request.Path == RelayPaths.Metrics);
        }
        else
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(RelayPaths.Metrics);
        }

        app.MapHealthChecks(RelayPaths.Live, new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Live) });
        app.MapHealthChecks(RelayPaths.Ready, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
        });
        return app;
    }

    /// <summary><see cref="HostingOptions"/> from the host's defaults, then configuration; applied when the server starts.</summary>
    private static void AddListeners(this WebApplicationBuilder builder, Action<HostingOptions>? hosting)
    {
        if (hosting is not null)
        {
            builder.Services.Configure(hosting);
        }

        builder.Services.AddValidatedOptions<HostingOptions>(HostingOptions.SectionName)
            .Validate(o => string.IsNullOrWhiteSpace(o.ManagementUrl) || Uri.TryCreate(o.ManagementUrl, UriKind.Absolute, out _),
                "Management:Url (Management__Url) must be an absolute URL such as http://0.0.0.0:9464, or empty.");
        builder.Services.AddTransient<IStartupFilter, Listeners>();
    }

    /// <summary>
    /// JSON logs (one object per line, UTC) in containers and clusters; readable lines in Development or when the
    /// output is a terminal. Logging__Console__FormatterName=json or simple chooses explicitly.
    /// </summary>
    private static void AddRelayLogging(this WebApplicationBuilder builder)
    {
        var formatter = builder.Configuration["Logging:Console:FormatterName"];
        var readable = formatter is null ? builder.Environment.IsDevelopment() || !Console.IsOutputRedirected : formatter == "simple";
        builder.Logging.ClearProviders();
        if (readable)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    /// <summary>The most attribute combinations one metric records; beyond it OpenTelemetry counts into an overflow series.</summary>
    public const int MetricSeriesLimit = 256;

    private static void AddRelayTelemetry(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter("MassTransit", RelayMetrics.MeterName, AuthMetrics.MeterName)
                // Each metric stream allocates its points up front (2,000 by default, ≈ 144 KB each, ≈ 12 MB a process);
                // no relay metric carries a per-identity or per-message attribute, so a few hundred series is plenty.
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricSeriesLimit })
                .AddPrometheusExporter()
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // Traces cost an Activity per request and per hop; they are recorded only when someone collects them.
            otel.WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName, "MassTransit")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(RelayPaths.Health, StringComparison.Ordinal))
                .AddHttpClientInstrumentation());
            otel.UseOtlpExporter();
        }
    }

    /// <summary>
    /// Log levels, and Kestrel limits against slow and oversized clients, as the lowest-priority configuration
    /// source, so that appsettings and environment variables (Kestrel__Limits__…) still override each of them.
    /// </summary>
    private static void AddLowestPriorityDefaults(ConfigurationManager configuration, IReadOnlyDictionary<string, string?>? hostDefaults)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:MassTransit"] = "Warning",
            ["Logging:LogLevel:Yarp"] = "Warning",
            ["Kestrel:AddServerHeader"] = "false",
            // Open connections per process (Kestrel__Limits__MaxConcurrentConnections); beyond it a new connection is closed at once.
            ["Kestrel:Limits:MaxConcurrentConnections"] = "10000",
            ["Kestrel:Limits:MaxRequestLineSize"] = "8192",
            ["Kestrel:Limits:MaxRequestHeadersTotalSize"] = "32768",
            ["Kestrel:Limits:MaxRequestHeaderCount"] = "64",
            ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:10",
            ["Kestrel:Limits:KeepAliveTimeout"] = "00:02:00",
            ["Kestrel:Limits:MaxRequestBodySize"] = "16777216",
            ["Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond"] = "240",
            ["Kestrel:Limits:MinRequestBodyDataRate:GracePeriod"] = "00:00:05",
        };
        foreach (var (key, value) in hostDefaults ?? new Dictionary<string, string?>())
        {
            defaults[key] = value;
        }

        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
    }
}
