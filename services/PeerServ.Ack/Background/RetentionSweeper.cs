using Microsoft.Extensions.Options;
using PeerServ.Relay;
using PeerServ.Storage;

namespace PeerServ.Ack.Background;

/// <summary>Deletes expired messages in batches every SweepInterval. Several replicas sweeping at once is harmless.</summary>
internal sealed partial class RetentionSweeper(IMessageStore store, IOptions<RelayOptions> options, TimeProvider time, ILogger<RetentionSweeper> logger) : BackgroundService
{
    private const int BatchSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                int deleted;
                var total = 0;
                do
                {
                    deleted = await store.DeleteExpiredAsync(time.GetUtcNow(), BatchSize, stoppingToken);
                    total += deleted;
                }
                while (deleted == BatchSize && !stoppingToken.IsCancellationRequested);

                if (total > 0)
                {
                    LogSwept(logger, total);
                }
            }
            catch (StoreUnavailableException ex)
            {
                LogSkipped(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired message(s)")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention sweep skipped: the store is unavailable")]
    private static partial void LogSkipped(ILogger logger, Exception exception);
}
