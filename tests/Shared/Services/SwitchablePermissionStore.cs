using PeerServ.Storage;

namespace PeerServ.Tests.Services;

/// <summary>The SQLite permission store, or, while <see cref="Fault"/> is set, one whose every operation throws it.</summary>
public sealed class SwitchablePermissionStore(IPermissionStore inner) : IPermissionStore
{
    public IPermissionStore Inner { get; } = inner;

    public Exception? Fault { get; set; }

    public Task<PermissionRule> SetAsync(string recipient, string messageBox, string? sender, int recipientFee, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run(() => Inner.SetAsync(recipient, messageBox, sender, recipientFee, now, cancellationToken));

    public Task<PermissionRule?> GetAsync(string recipient, string messageBox, string? sender, CancellationToken cancellationToken) =>
        Run(() => Inner.GetAsync(recipient, messageBox, sender, cancellationToken));

    public Task<PermissionPage> ListAsync(PermissionQuery query, CancellationToken cancellationToken) => Run(() => Inner.ListAsync(query, cancellationToken));

    public Task<IReadOnlyDictionary<string, PermissionRule>> FindApplicableAsync(string sender, string messageBox, IReadOnlyCollection<string> recipients, CancellationToken cancellationToken) =>
        Run(() => Inner.FindApplicableAsync(sender, messageBox, recipients, cancellationToken));

    private Task<T> Run<T>(Func<Task<T>> operation) => Fault is { } fault ? Task.FromException<T>(fault) : operation();
}
