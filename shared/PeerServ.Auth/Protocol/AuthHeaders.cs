namespace PeerServ.Auth.Protocol;

/// <summary>Header names of both protocols, lower-case as they appear on the wire.</summary>
public static class AuthHeaders
{
    public const string Brc104Prefix = "x-bsv-auth";
    public const string Version = "x-bsv-auth-version";
    public const string IdentityKey = "x-bsv-auth-identity-key";
    public const string Nonce = "x-bsv-auth-nonce";
    public const string YourNonce = "x-bsv-auth-your-nonce";
    public const string Signature = "x-bsv-auth-signature";
    public const string RequestId = "x-bsv-auth-request-id";
    public const string MessageType = "x-bsv-auth-message-type";

    public const string Authrite = "x-authrite";
    public const string AuthriteIdentityKey = "x-authrite-identity-key";
    public const string AuthriteNonce = "x-authrite-nonce";
    public const string AuthriteInitialNonce = "x-authrite-initialnonce";
    public const string AuthriteYourNonce = "x-authrite-yournonce";
    public const string AuthriteSignature = "x-authrite-signature";
    public const string AuthriteCertificates = "x-authrite-certificates";

    public const string Brc104Version = "0.1";

    /// <summary>Every header either protocol uses; exposed to browsers through CORS.</summary>
    public static readonly string[] All =
    [
        Version, IdentityKey, Nonce, YourNonce, Signature, RequestId, MessageType, "x-bsv-auth-requested-certificates",
        Authrite, AuthriteIdentityKey, AuthriteNonce, AuthriteInitialNonce, AuthriteYourNonce, AuthriteSignature, AuthriteCertificates,
    ];
}
