namespace PeerServ.Auth.Protocol;

/// <summary>BRC-31 (Authrite) constants shared by the server and the client: the handshake path and the signature invoice.</summary>
public static class AuthriteProtocol
{
    public const string HandshakePath = "/authrite/initialRequest";

    public const string SignatureProtocol = "authrite message signature";

    /// <summary>The BRC-43 invoice number a request or response signature is derived under.</summary>
    public static string Invoice(string nonce, string otherNonce) => $"2-{SignatureProtocol}-{nonce} {otherNonce}";
}
