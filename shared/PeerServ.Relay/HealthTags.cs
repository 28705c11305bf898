namespace PeerServ.Relay;

/// <summary>Health check tags: /health/live runs the live checks, /health/ready the ready ones.</summary>
public static class HealthTags
{
    public const string Live = "live";

    /// <summary>Also the tag MassTransit gives its bus health check, so that /health/ready covers the broker too.</summary>
    public const string Ready = "ready";
}
