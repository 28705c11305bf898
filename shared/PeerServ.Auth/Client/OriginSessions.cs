using System.Collections.Concurrent;

namespace PeerServ.Auth.Client;

/// <summary>One handshake per origin, shared by concurrent requests; dropped when the server forgets it.</summary>
internal sealed class OriginSessions<TSession>
    where TSession : class
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TSession>>> _sessions = new(StringComparer.OrdinalIgnoreCase);

    public Task<TSession> GetAsync(Uri target, Func<Uri, Task<TSession>> handshake)
    {
        var origin = Origin(target);
        var lazy = _sessions.GetOrAdd(origin, o => new Lazy<Task<TSession>>(() => handshake(new Uri(o))));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            _sessions.TryRemove(new KeyValuePair<string, Lazy<Task<TSession>>>(origin, lazy));
        }

        return task;
    }

    public void Drop(Uri target, TSession stale)
    {
        var origin = Origin(target);
        if (_sessions.TryGetValue(origin, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && ReferenceEquals(lazy.Value.Result, stale))
        {
            _sessions.TryRemove(new KeyValuePair<string, Lazy<Task<TSession>>>(origin, lazy));
        }
    }

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
