using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Driver;
using PeerServ.Storage.Mongo;
using PeerServ.Storage.Sqlite;

namespace PeerServ.Storage;

public static class StorageExtensions
{
    public const string ReadyTag = "ready";

    /// <summary>The "Relay" limits, validated at start-up, and the clock the endpoints use.</summary>
    public static IServiceCollection AddRelayOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(RelayOptionsMarker)))
        {
            return services;
        }

        services.AddSingleton<RelayOptionsMarker>();
        services.AddOptions<RelayOptions>()
            .Bind(configuration.GetSection(RelayOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.ListDefaultLimit <= o.ListMaxLimit, "Relay:ListDefaultLimit must not exceed Relay:ListMaxLimit.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>
    /// MongoDB from "Storage:MongoConnectionString" (required) and "Storage:MongoDatabase" (default "peerserv").
    /// Short server-selection and socket timeouts make an unreachable store a quick 503, not a hang.
    /// </summary>
    public static IServiceCollection AddMongoMessageStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration["Storage:MongoConnectionString"];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("Storage:MongoConnectionString is required (set Storage__MongoConnectionString), e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0");
        }

        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(3);
        settings.ConnectTimeout = TimeSpan.FromSeconds(3);
        settings.SocketTimeout = TimeSpan.FromSeconds(10);
        var database = configuration["Storage:MongoDatabase"] is { Length: > 0 } name ? name : "peerserv";
        services.AddSingleton<IMongoClient>(new MongoClient(settings));
        services.AddSingleton(sp => new MongoMessageStore(sp.GetRequiredService<IMongoClient>(), database));
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<MongoMessageStore>());
        services.AddHostedService<MongoIndexInitializer>();
        services.AddHealthChecks().AddCheck<MessageStoreHealthCheck>("message-store", tags: [ReadyTag]);
        return services;
    }

    /// <summary>An SQLite file (created with its directory if missing).</summary>
    public static IServiceCollection AddSqliteMessageStore(this IServiceCollection services, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        services.AddSingleton<IMessageStore>(new SqliteMessageStore(path));
        services.AddHealthChecks().AddCheck<MessageStoreHealthCheck>("message-store", tags: [ReadyTag]);
        return services;
    }
}

internal sealed class MessageStoreHealthCheck(IMessageStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (StoreUnavailableException ex)
        {
            return HealthCheckResult.Unhealthy("The message store is unavailable.", ex);
        }
    }
}

/// <summary>Marks that the relay options are registered (the standalone host composes three APIs that each need them).</summary>
internal sealed class RelayOptionsMarker;
