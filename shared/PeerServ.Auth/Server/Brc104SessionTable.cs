using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Server;

/// <summary>What recording a request nonce in a session found.</summary>
internal enum NonceUse
{
    Fresh,
    Replayed,

    /// <summary>The session has recorded the most nonces one session may; it takes no more requests.</summary>
    SessionExhausted,
}

/// <summary>A BRC-104 session as this process knows it.</summary>
internal sealed class Brc104Session(string serverNonce, PublicKey peer, string peerNonce, DateTimeOffset issuedAt, long nowTicks)
{
    private readonly HashSet<UInt128> _seenNonces = [];
    private bool _exhausted;

    public string ServerNonce { get; } = serverNonce;

    public PublicKey Peer { get; } = peer;

    /// <summary>The client's own session nonce: x-bsv-auth-your-nonce of every response.</summary>
    public string PeerNonce { get; } = peerNonce;

    public DateTimeOffset IssuedAt { get; } = issuedAt;

    public long LastSeenTicks { get; set; } = nowTicks;

    public int SeenCount
    {
        get
        {
            lock (_seenNonces)
            {
                return _seenNonces.Count;
            }
        }
    }

    /// <summary>Records a request nonce; false if this session has seen it before (a replay).</summary>
    /// <returns>Fresh and recorded; a replay; or the session has reached <paramref name="maxNonces"/>, and then it is
    /// closed for good (its set is dropped, so every later request of it is refused, replays included).</returns>
    public NonceUse TryUseNonce(ReadOnlySpan<byte> requestNonce, int maxNonces, out int released)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(requestNonce, digest);
        var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(digest);
        released = 0;
        lock (_seenNonces)
        {
            if (_exhausted)
            {
                return NonceUse.SessionExhausted;
            }

            if (_seenNonces.Count >= maxNonces)
            {
                released = _seenNonces.Count;
                _seenNonces.Clear();
                _seenNonces.TrimExcess();
                _exhausted = true;
                return NonceUse.SessionExhausted;
            }

            return _seenNonces.Add(key) ? NonceUse.Fresh : NonceUse.Replayed;
        }
    }
}

/// <summary>
/// Sessions keyed by the server nonce. The nonce is self-contained (<see cref="SessionNonce"/>), so a session
/// unknown here but minted by any replica is admitted — unless it was issued longer ago than the idle timeout,
/// which makes idle expiry hold across replicas and evictions: a client whose session this process cannot vouch
/// for gets an unsigned 401 and re-handshakes by itself. Replay detection is per session and per process; memory
/// is bounded by <see cref="PeerServAuthOptions.MaxSessions"/> and <see cref="PeerServAuthOptions.MaxReplayEntries"/>.
/// </summary>
public sealed class Brc104SessionTable
{
    private readonly ConcurrentDictionary<string, Brc104Session> _sessions = new(StringComparer.Ordinal);
    private readonly ServerIdentity _identity;
    private readonly PeerServAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _sweepLock = new();
    private long _replayEntries;

    public Brc104SessionTable(ServerIdentity identity, IOptions<PeerServAuthOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _identity = identity;
        _options = options.Value;
        _time = time;
    }

    public int Count => _sessions.Count;

    /// <summary>Opens a session at the handshake and returns the server session nonce.</summary>
    internal string Open(PublicKey client, ReadOnlySpan<byte> clientNonce)
    {
        var now = _time.GetUtcNow();
        var serverNonce = SessionNonce.Mint(_identity.SessionMacKey, client, clientNonce, now);
        Admit(new Brc104Session(serverNonce, client, Convert.ToBase64String(clientNonce), now, _time.GetTimestamp()));
        return serverNonce;
    }

    /// <summary>The live session for a server nonce, or null (unknown, forged or idle-expired).</summary>
    internal Brc104Session? Find(string serverNonce)
    {
        var nowTicks = _time.GetTimestamp();
        if (_sessions.TryGetValue(serverNonce, out var session))
        {
            if (_time.GetElapsedTime(session.LastSeenTicks, nowTicks) > _options.SessionIdleTimeout
                || _time.GetUtcNow() - session.IssuedAt > _options.SessionMaxLifetime)
            {
                Forget(session);
                return null;
            }

            session.LastSeenTicks = nowTicks;
            return session;
        }

        if (!SessionNonce.TryOpen(_identity.SessionMacKey, serverNonce, out var client, out var clientNonce, out var issuedAt)
            || _time.GetUtcNow() - issuedAt > _options.SessionIdleTimeout)
        {
            return null;
        }

        session = new Brc104Session(serverNonce, client, clientNonce, issuedAt, nowTicks);
        return Admit(session);
    }

    /// <summary>Replay check after a verified signature; false when the nonce was used before in this session.</summary>
    internal NonceUse TryUseNonce(Brc104Session session, ReadOnlySpan<byte> requestNonce)
    {
        var use = session.TryUseNonce(requestNonce, _options.MaxNoncesPerSession, out var released);
        if (released > 0)
        {
            Interlocked.Add(ref _replayEntries, -released);
        }

        if (use == NonceUse.Fresh && Interlocked.Increment(ref _replayEntries) > _options.MaxReplayEntries)
        {
            Sweep();
        }

        return use;
    }

    internal void Forget(Brc104Session session)
    {
        if (_sessions.TryRemove(new KeyValuePair<string, Brc104Session>(session.ServerNonce, session)))
        {
            Interlocked.Add(ref _replayEntries, -session.SeenCount);
        }
    }

    private Brc104Session Admit(Brc104Session session)
    {
        var admitted = _sessions.GetOrAdd(session.ServerNonce, session);
        if (_sessions.Count > _options.MaxSessions)
        {
            Sweep();
        }

        return admitted;
    }

    /// <summary>Drops idle sessions, then the least recently used until both bounds hold with headroom.</summary>
    private void Sweep()
    {
        lock (_sweepLock)
        {
            var nowTicks = _time.GetTimestamp();
            var byAge = new List<Brc104Session>(_sessions.Count);
            foreach (var (_, session) in _sessions)
            {
                if (_time.GetElapsedTime(session.LastSeenTicks, nowTicks) > _options.SessionIdleTimeout)
                {
                    Forget(session);
                }
                else
                {
                    byAge.Add(session);
                }
            }

            var sessionTarget = _options.MaxSessions * 9 / 10;
            var replayTarget = _options.MaxReplayEntries * 9L / 10;
            if (_sessions.Count <= sessionTarget && Interlocked.Read(ref _replayEntries) <= replayTarget)
            {
                return;
            }

            byAge.Sort(static (a, b) => a.LastSeenTicks.CompareTo(b.LastSeenTicks));
            foreach (var session in byAge)
            {
                if (_sessions.Count <= sessionTarget && Interlocked.Read(ref _replayEntries) <= replayTarget)
                {
                    break;
                }

                Forget(session);
            }
        }
    }
}
