using Microsoft.AspNetCore.Http;
using PeerServ.Auth.Crypto;

namespace PeerServ.Auth.Server;

public enum AuthProtocol
{
    Brc104,
    Authrite,
}

/// <summary>The one verified identity of the caller, whichever protocol proved it.</summary>
public sealed record PeerIdentity(PublicKey IdentityKey, AuthProtocol Protocol)
{
    /// <summary>
    /// The request nonce the caller signed (x-bsv-auth-nonce or x-authrite-nonce), unique per request of this identity:
    /// what server-assigned message ids derive from, so that a replayed send is a no-op. Empty when unknown.
    /// </summary>
    public string RequestNonce { get; init; } = "";
}

public static class PeerIdentityHttpContextExtensions
{
    /// <summary>The verified caller, or null on an anonymous path.</summary>
    public static PeerIdentity? GetPeerIdentity(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<PeerIdentity>();
    }
}
