using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

using PeerServ.Relay.Errors;

namespace PeerServ.Auth.Server;

/// <summary>One authenticated request/response pair of either protocol: verify the request, sign the response.</summary>
internal abstract class AuthExchange
{
    /// <summary>The identity the verified signature belongs to; set by <see cref="RecordNonce"/>.</summary>
    public PeerIdentity? Identity { get; protected set; }

    /// <summary>The key the request's signature is checked against (before it is checked: a claim).</summary>
    public abstract Crypto.PublicKey Signer { get; }

    /// <summary>Verifies the request over its raw target and raw body, changing no state; throws <see cref="AuthRejection"/> (unsigned).</summary>
    public abstract void VerifySignature(HttpContext context, ReadOnlySpan<byte> body);

    /// <summary>
    /// After <see cref="VerifySignature"/> and the rate limit: records the request nonce for replay detection and sets
    /// <see cref="Identity"/>; throws <see cref="AuthRejection"/> (unsigned) for a replay.
    /// </summary>
    public abstract void RecordNonce();

    /// <summary>Adds the protocol's auth headers signing exactly <paramref name="body"/> and the final status.</summary>
    public abstract void Sign(HttpResponse response, ReadOnlySpan<byte> body);

    protected static string Header(IHeaderDictionary headers, string name, int maxLength, bool required = true)
    {
        var values = headers[name];
        if (StringValues.IsNullOrEmpty(values))
        {
            return required ? throw new AuthRejection(RelayErrors.MissingAuthHeader, $"The {name} header is required.") : "";
        }

        if (values.Count > 1)
        {
            throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {name} header must appear once.");
        }

        var value = values[0]!;
        return value.Length > maxLength
            ? throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {name} header is longer than {maxLength} characters.")
            : value;
    }

    protected static byte[] Base64Header(string name, string value, int minBytes, int maxBytes)
    {
        var buffer = new byte[(value.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(value, buffer, out var n) || n < minBytes || n > maxBytes)
        {
            throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {name} header must be base64 of {minBytes}-{maxBytes} bytes.");
        }

        return buffer[..n];
    }

    protected static byte[] HexSignature(string name, string value)
    {
        if (value.Length is < 16 or > 144 || value.Length % 2 != 0)
        {
            throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {name} header must be a hex DER signature.");
        }

        var bytes = new byte[value.Length / 2];
        return Convert.FromHexString(value, bytes, out _, out _) == System.Buffers.OperationStatus.Done
            ? bytes
            : throw new AuthRejection(RelayErrors.InvalidAuthHeader, $"The {name} header must be a hex DER signature.");
    }

    /// <summary>The request target exactly as sent (not percent-decoded), split into path and query ("?…" or null).</summary>
    protected static (string Path, string? Query) RawTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            raw = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        }
        else if (!raw.StartsWith('/'))
        {
            // absolute-form request target: keep only path and query
            var schemeEnd = raw.IndexOf("://", StringComparison.Ordinal);
            var pathStart = schemeEnd < 0 ? -1 : raw.IndexOf('/', schemeEnd + 3);
            raw = pathStart < 0 ? "/" : raw[pathStart..];
        }

        var q = raw.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? (raw, null) : (raw[..q], raw[q..]);
    }
}
