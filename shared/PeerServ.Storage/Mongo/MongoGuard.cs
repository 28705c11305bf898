using MongoDB.Driver;

namespace PeerServ.Storage.Mongo;

/// <summary>What every Mongo store does with the driver's failures: an unreachable server becomes <see cref="StoreUnavailableException"/> (a 503), a duplicate key is recognised on both servers.</summary>
internal static class MongoGuard
{
    public static async Task<T> RunAsync<T>(Func<Task<T>> operation, Action? unavailable = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            return await operation();
        }
        catch (Exception ex) when (ex is TimeoutException or MongoConnectionException or MongoNotPrimaryException or MongoNodeIsRecoveringException
            or MongoExecutionTimeoutException or MongoConnectionPoolPausedException or MongoWaitQueueFullException)
        {
            unavailable?.Invoke();
            throw new StoreUnavailableException($"MongoDB is unavailable: {ex.Message}", ex);
        }
    }

    public static Task RunAsync(Func<Task> operation, Action? unavailable = null) => RunAsync(async () =>
    {
        await operation();
        return true;
    }, unavailable);

    /// <summary>Real MongoDB reports a duplicate key as a write error, the test server as a command error 11000.</summary>
    public static bool IsDuplicateKey(Exception ex) => ex switch
    {
        MongoWriteException w => w.WriteError?.Category == ServerErrorCategory.DuplicateKey,
        MongoBulkWriteException b => b.WriteErrors.Any(e => e.Category == ServerErrorCategory.DuplicateKey),
        MongoCommandException c => c.Code == 11000,
        _ => false,
    };
}
