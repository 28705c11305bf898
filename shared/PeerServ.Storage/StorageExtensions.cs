using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using PeerServ.Relay;
using PeerServ.Relay.Options;
using PeerServ.Storage.Mongo;
using PeerServ.Storage.Sqlite;

namespace PeerServ.Storage;

/// <summary>Section "Storage": where the distributed services keep the message boxes.</summary>
public sealed class MongoStorageOptions
{
    public const string SectionName = "Storage";

    [Required(ErrorMessage = "is required, e.g. mongodb://127.0.0.1:27017/?replicaSet=rs0")]
    public string MongoConnectionString { get; set; } = "";

    [Required]
    [RegularExpression("^[A-Za-z0-9_-]{1,63}$", ErrorMessage = "must be 1-63 letters, digits, '-' or '_'")]
    public string MongoDatabase { get; set; } = "peerserv";
}

public static class StorageExtensions
{
    /// <summary>
    /// The one MongoDB client and database of a host, from "Storage" (validated at start-up); every Mongo store shares
    /// them. Short server-selection and socket timeouts make an unreachable store a quick 503, not a hang.
    /// </summary>
    public static IServiceCollection AddMongoStorage(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(IMongoClient)))
        {
            // Every Mongo store calls this; the host's storage is registered by the first.
            return services;
        }

        services.AddValidatedOptions<MongoStorageOptions>(MongoStorageOptions.SectionName)
            .Validate(o => string.IsNullOrEmpty(o.MongoConnectionString) || IsConnectionString(o.MongoConnectionString),
                "Storage:MongoConnectionString (Storage__MongoConnectionString) is not a MongoDB connection string (mongodb://…).");
        services.AddSingleton<IMongoClient>(sp =>
        {
            var settings = MongoClientSettings.FromConnectionString(sp.GetRequiredService<IOptions<MongoStorageOptions>>().Value.MongoConnectionString);
            settings.ServerSelectionTimeout = TimeSpan.FromSeconds(3);
            settings.ConnectTimeout = TimeSpan.FromSeconds(3);
            settings.SocketTimeout = TimeSpan.FromSeconds(10);
            return new MongoClient(settings);
        });
        return services;
    }

    /// <summary>The message store on the host's MongoDB (<see cref="AddMongoStorage"/>), its indexes created in the background, and its readiness check.</summary>
    public static IServiceCollection AddMongoMessageStore(this IServiceCollection services)
    {
        services.AddMongoStore<IMessageStore, MongoMessageStore>((client, database, sp) => new MongoMessageStore(client, database, sp.GetRequiredService<TimeProvider>()));
        services.AddHealthChecks().AddCheck<MessageStoreHealthCheck>("message-store", tags: [HealthTags.Ready]);
        return services;
    }

    /// <summary>The permission rules on the host's MongoDB, their index created in the background.</summary>
    public static IServiceCollection AddMongoPermissionStore(this IServiceCollection services) =>
        services.AddMongoStore<IPermissionStore, MongoPermissionStore>((client, database, _) => new MongoPermissionStore(client, database));

    /// <summary>The push devices on the host's MongoDB, their unique index created in the background.</summary>
    public static IServiceCollection AddMongoDeviceStore(this IServiceCollection services) =>
        services.AddMongoStore<IDeviceStore, MongoDeviceStore>((client, database, _) => new MongoDeviceStore(client, database));

    /// <summary>The fee lookup of sends and quotes (<see cref="RecipientFees"/>) and its "Permissions" options; the permission store comes from the host.</summary>
    public static IServiceCollection AddRecipientFees(this IServiceCollection services)
    {
        services.AddValidatedOptions<PermissionOptions>(PermissionOptions.SectionName)
            .Validate(o => o.DefaultRecipientFee <= o.MaxRecipientFee && o.DefaultRecipientFees.Values.All(fee => fee >= -1 && fee <= o.MaxRecipientFee),
                "Permissions:DefaultRecipientFee and every Permissions:DefaultRecipientFees:<box> (Permissions__DefaultRecipientFees__<box>) must be from -1 to Permissions:MaxRecipientFee.");
        services.TryAddSingleton<RecipientFees>();
        return services;
    }

    /// <summary>
    /// The standalone host's storage: one SQLite file (created with its directory, owner-only, and its schema when
    /// first resolved) holding the messages, the permission rules and the push devices, with one writer for all.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Func<IServiceProvider, string> path)
    {
        services.AddSingleton(sp =>
        {
            var file = Path.GetFullPath(path(sp));
            OwnerOnly.PrepareDatabase(file);
            return new SqliteStorage(file);
        });
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<SqliteStorage>().Messages);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Permissions);
        services.AddSingleton(sp => sp.GetRequiredService<SqliteStorage>().Devices);
        services.AddHealthChecks().AddCheck<MessageStoreHealthCheck>("message-store", tags: [HealthTags.Ready]);
        return services;
    }

    private static IServiceCollection AddMongoStore<TService, TStore>(this IServiceCollection services, Func<IMongoClient, string, IServiceProvider, TStore> create)
        where TService : class
        where TStore : class, TService, IMongoIndexes
    {
        services.AddMongoStorage();
        services.AddSingleton(sp => create(sp.GetRequiredService<IMongoClient>(), sp.GetRequiredService<IOptions<MongoStorageOptions>>().Value.MongoDatabase, sp));
        services.AddSingleton<TService>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IMongoIndexes>(sp => sp.GetRequiredService<TStore>());
        services.AddHostedService<MongoIndexInitializer>();
        return services;
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = MongoUrl.Create(value);
            return true;
        }
        catch (MongoConfigurationException)
        {
            return false;
        }
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
