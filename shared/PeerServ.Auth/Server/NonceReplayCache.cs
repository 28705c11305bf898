using System.Security.Cryptography;

namespace PeerServ.Auth.Server;

/// <summary>
/// Remembers (scope, nonce) pairs for a window, in two generations that rotate, bounded in count; a pair seen
/// again inside the window is a replay. Used for BRC-31 request nonces (scope = identity key), which have no
/// session to scope them, and for gateway assertions.
/// </summary>
public sealed class NonceReplayCache
{
    private readonly TimeSpan _window;
    private readonly int _maxEntries;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private HashSet<UInt128> _current = [];
    private HashSet<UInt128> _previous = [];
    private long _rotatedAt;

    public NonceReplayCache(TimeSpan window, int maxEntries, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _window = window;
        _maxEntries = maxEntries;
        _time = time;
        _rotatedAt = time.GetTimestamp();
    }

    /// <summary>True the first time a (scope, nonce) pair is seen inside the window; false for a replay.</summary>
    public bool TryUse(ReadOnlySpan<byte> scope, string requestNonce)
    {
        ArgumentNullException.ThrowIfNull(requestNonce);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(scope);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(requestNonce));
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(digest);

        lock (_lock)
        {
            if (_time.GetElapsedTime(_rotatedAt) > _window / 2 || _current.Count >= _maxEntries / 2)
            {
                (_previous, _current) = (_current, []);
                _rotatedAt = _time.GetTimestamp();
            }

            return !_previous.Contains(key) && _current.Add(key);
        }
    }
}
