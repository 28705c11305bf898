using System.Diagnostics.Metrics;

namespace PeerServ.Auth.Server;

/// <summary>Meter "PeerServ.Auth": handshakes by protocol, refusals by reason code.</summary>
public static class AuthMetrics
{
    public const string MeterName = "PeerServ.Auth";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("peerserv.auth.handshakes", description: "Completed handshakes, by protocol");
    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>("peerserv.auth.rejections", description: "Requests refused by the auth layer, by reason code");

    internal static void Handshake(string protocol) => Handshakes.Add(1, new KeyValuePair<string, object?>("protocol", protocol));

    internal static void Rejected(string code) => Rejections.Add(1, new KeyValuePair<string, object?>("reason", code));
}
