using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PeerServ.Storage.Mongo;

/// <summary>Creates the indexes at start-up, retrying until MongoDB answers (readiness stays red until then).</summary>
internal sealed partial class MongoIndexInitializer(MongoMessageStore store, ILogger<MongoIndexInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.EnsureIndexesAsync(stoppingToken);
                return;
            }
            catch (StoreUnavailableException ex)
            {
                LogRetry(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MongoDB not reachable for index creation yet: {Reason}")]
    private static partial void LogRetry(ILogger logger, string reason);
}
