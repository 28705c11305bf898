using PeerServ.Storage;
using PeerServ.Storage.Sqlite;

namespace PeerServ.Tests.Services;

/// <summary>The SQLite store, or, while <see cref="Fault"/> is set, a store whose every operation throws it.</summary>
public sealed class SwitchableStore(SqliteMessageStore inner) : IMessageStore, IDisposable
{
    public SqliteMessageStore Inner { get; } = inner;

    public Exception? Fault { get; set; }

    public Task<InsertResult> InsertAsync(NewMessage message, StoreQuotas quotas, CancellationToken cancellationToken) => Run(() => Inner.InsertAsync(message, quotas, cancellationToken));

    public Task<MessagePage> ListAsync(ListQuery query, CancellationToken cancellationToken) => Run(() => Inner.ListAsync(query, cancellationToken));

    public Task<IReadOnlyList<string>> AcknowledgeAsync(string recipient, IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) =>
        Run(() => Inner.AcknowledgeAsync(recipient, messageIds, cancellationToken));

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken) => Run(() => Inner.DeleteExpiredAsync(now, batchSize, cancellationToken));

    public Task<IReadOnlyList<PendingEvent>> ListPendingEventsAsync(DateTimeOffset createdBefore, int max, CancellationToken cancellationToken) =>
        Run(() => Inner.ListPendingEventsAsync(createdBefore, max, cancellationToken));

    public Task<StoredMessage?> GetAsync(string recipient, string messageId, string sender, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run(() => Inner.GetAsync(recipient, messageId, sender, now, cancellationToken));

    public Task MarkEventsPublishedAsync(IReadOnlyCollection<PendingEvent> published, CancellationToken cancellationToken) =>
        Run(async () =>
        {
            await Inner.MarkEventsPublishedAsync(published, cancellationToken);
            return true;
        });

    public Task<bool> ClaimPushAsync(string recipient, string messageId, string sender, CancellationToken cancellationToken) =>
        Run(() => Inner.ClaimPushAsync(recipient, messageId, sender, cancellationToken));

    public Task PingAsync(CancellationToken cancellationToken) => Run(async () =>
    {
        await Inner.PingAsync(cancellationToken);
        return true;
    });

    public void Dispose() => Inner.Dispose();

    private Task<T> Run<T>(Func<Task<T>> operation) => Fault is { } fault ? Task.FromException<T>(fault) : operation();
}
