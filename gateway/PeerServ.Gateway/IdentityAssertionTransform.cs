using PeerServ.Auth.Gateway;
using PeerServ.Auth.Server;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace PeerServ.Gateway;

/// <summary>
/// On every proxied request: drop any identity header the client sent, and vouch for the verified identity (set by
/// the auth middleware, which has run by the time YARP forwards) with the gateway's assertion, which also covers the hash
/// of the body the caller's signature was verified over.
/// </summary>
internal sealed class IdentityAssertionTransform(GatewayAssertion assertion) : ITransformProvider
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
        context.AddRequestTransform(ApplyAsync);
    }

    internal ValueTask ApplyAsync(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        if (context.HttpContext.GetPeerIdentity() is { } identity)
        {
            var request = context.HttpContext.Request;
            var body = context.HttpContext.Features.Get<VerifiedRequestBody>()?.Bytes ?? ReadOnlyMemory<byte>.Empty;
            assertion.Apply(headers, identity, request.Method, request.Path.Value + request.QueryString.Value, body.Span);
        }
        else
        {
            foreach (var name in GatewayAssertion.Headers)
            {
                headers.Remove(name);
            }
        }

        return ValueTask.CompletedTask;
    }
}
