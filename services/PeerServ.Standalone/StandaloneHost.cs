namespace PeerServ.Standalone;

/// <summary>
/// Names this assembly for <c>WebApplicationFactory&lt;StandaloneHost&gt;</c>. The host references the three service
/// projects, each with its own generated public <c>Program</c> (one per Web project, ASP.NET Core PR #58199), so
/// <c>WebApplicationFactory&lt;Program&gt;</c> would be ambiguous here.
/// </summary>
public sealed class StandaloneHost
{
    private StandaloneHost()
    {
    }
}
