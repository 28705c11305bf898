namespace PeerServ.Live.Live;

/// <summary>The authenticated connections this process holds, by identity: where a delivery for a recipient goes.</summary>
internal sealed class LiveHub
{
    private readonly Dictionary<string, List<LiveConnection>> _byIdentity = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int Identities
    {
        get
        {
            lock (_lock)
            {
                return _byIdentity.Count;
            }
        }
    }

    /// <summary>Adds an authenticated connection; false when its identity already holds <paramref name="maxPerIdentity"/> here.</summary>
    public bool TryAdd(LiveConnection connection, int maxPerIdentity)
    {
        lock (_lock)
        {
            if (!_byIdentity.TryGetValue(connection.Identity, out var connections))
            {
                connections = [];
                _byIdentity[connection.Identity] = connections;
            }

            if (connections.Count >= maxPerIdentity)
            {
                return false;
            }

            connections.Add(connection);
            _count++;
            Relay.RelayMetrics.LiveConnection(1);
            return true;
        }
    }

    public void Remove(LiveConnection connection)
    {
        lock (_lock)
        {
            if (_byIdentity.TryGetValue(connection.Identity, out var connections) && connections.Remove(connection))
            {
                _count--;
                Relay.RelayMetrics.LiveConnection(-1);
                if (connections.Count == 0)
                {
                    _byIdentity.Remove(connection.Identity);
                }
            }
        }
    }

    /// <summary>A snapshot of the identity's connections here (empty when it has none: most events stop at this lookup).</summary>
    public LiveConnection[] For(string identity)
    {
        lock (_lock)
        {
            return _byIdentity.TryGetValue(identity, out var connections) ? [.. connections] : [];
        }
    }
}
