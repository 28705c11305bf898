using Microsoft.AspNetCore.Http;

namespace PeerServ.Relay;

/// <summary>Paths every host serves outside the relay's authentication.</summary>
public static class RelayPaths
{
    public const string Live = "/health/live";
    public const string Ready = "/health/ready";
    public const string Health = "/health";
    public const string Metrics = "/metrics";
    public const string OpenApi = "/openapi";
    public const string Docs = "/docs";

    /// <summary>Live delivery (Engine.IO / Socket.IO): no HTTP authentication, as every message on it is authenticated by BRC-103 inside the socket.</summary>
    public const string SocketIO = "/socket.io";

    /// <summary>
    /// Path prefixes served without authentication (health, metrics, API docs): a security list, the only one. The
    /// auth middleware and the services' gateway-assertion check both read it.
    /// </summary>
    public static IReadOnlyList<string> Anonymous { get; } = [Health, Metrics, OpenApi, Docs, SocketIO];

    /// <summary>Whether <paramref name="path"/> lies under one of <paramref name="prefixes"/> (whole segments, any case).</summary>
    public static bool IsUnder(PathString path, IEnumerable<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        foreach (var prefix in prefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
