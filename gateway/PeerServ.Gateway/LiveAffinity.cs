using System.Security.Cryptography;
using System.Text;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace PeerServ.Gateway;

/// <summary>
/// Engine.IO session affinity without cookies (Node clients send none): every request routed to the live cluster
/// tells the chosen replica its tag (<see cref="TagHeader"/>), derived from the destination's address, and the
/// replica begins its session ids with it ("&lt;tag&gt;.&lt;random&gt;"); a later request carrying such a sid is sent to the
/// destination with that tag and no other. Every gateway replica derives the same tags from the same addresses.
/// </summary>
internal static class LiveAffinity
{
    /// <summary>The cluster whose routes get affinity (the live replicas).</summary>
    public const string Cluster = "live";

    public const string TagHeader = "x-peerserv-live-tag";

    /// <summary>A destination's tag: 12 hex digits of the SHA-256 of its address.</summary>
    public static string Tag(string address) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address.TrimEnd('/'))))[..12];

    /// <summary>Before load balancing: a request of an existing session goes to the replica that holds it, or nowhere.</summary>
    public static IReverseProxyApplicationBuilder UseLiveAffinity(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            var feature = context.GetReverseProxyFeature();
            if (feature.Cluster.Config.ClusterId == Cluster && TagOf(context.Request.Query["sid"].ToString()) is { } tag)
            {
                var holder = feature.AvailableDestinations.Where(d => Tag(d.Model.Config.Address) == tag).ToList();
                if (holder.Count == 0)
                {
                    // The replica that held this session is gone: the client's Engine.IO error, so it opens a new session.
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("""{"code":1,"message":"Session ID unknown"}""");
                    return;
                }

                feature.AvailableDestinations = holder;
            }

            await next();
        });
        return proxy;
    }

    /// <summary>The tag a session id begins with, if any.</summary>
    internal static string? TagOf(string sid)
    {
        var dot = sid.IndexOf('.', StringComparison.Ordinal);
        return dot is > 0 and <= 16 ? sid[..dot] : null;
    }

    /// <summary>On the proxied request: whatever the client sent under the tag header is replaced by the chosen destination's tag.</summary>
    internal sealed class Transform : ITransformProvider
    {
        public void ValidateRoute(TransformRouteValidationContext context)
        {
        }

        public void ValidateCluster(TransformClusterValidationContext context)
        {
        }

        public void Apply(TransformBuilderContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            context.AddRequestTransform(transform =>
            {
                transform.ProxyRequest.Headers.Remove(TagHeader);
                if (context.Cluster?.ClusterId == Cluster)
                {
                    transform.ProxyRequest.Headers.TryAddWithoutValidation(TagHeader, Tag(transform.DestinationPrefix));
                }

                return ValueTask.CompletedTask;
            });
        }
    }
}
