using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Server;

public enum AuthProtocol
{
    Brc104,
    Authrite,
}

/// <summary>The one verified identity of the caller, whichever protocol proved it.</summary>
public sealed record PeerIdentity(PublicKey IdentityKey, AuthProtocol Protocol);

public static class PeerIdentityHttpContextExtensions
{
    /// <summary>The verified caller, or null on an anonymous path.</summary>
    public static PeerIdentity? GetPeerIdentity(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<PeerIdentity>();
    }
}
