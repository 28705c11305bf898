using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PeerServ.Storage.Mongo;

/// <summary>A Mongo store with indexes to create at start-up (idempotent).</summary>
internal interface IMongoIndexes
{
    Task EnsureIndexesAsync(CancellationToken cancellationToken);
}

/// <summary>Creates every registered Mongo store's indexes at start-up, retrying until MongoDB answers (readiness stays red until then).</summary>
internal sealed partial class MongoIndexInitializer(IEnumerable<IMongoIndexes> stores, ILogger<MongoIndexInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var store in stores)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await store.EnsureIndexesAsync(stoppingToken);
                    break;
                }
                catch (StoreUnavailableException ex)
                {
                    LogRetry(logger, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MongoDB not reachable for index creation yet: {Reason}")]
    private static partial void LogRetry(ILogger logger, string reason);
}
