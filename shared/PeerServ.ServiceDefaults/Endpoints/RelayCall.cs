using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerServ.Auth.Server;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Http;

namespace PeerServ.ServiceDefaults.Endpoints;

/// <summary>Lets the endpoint filter of <see cref="RelayEndpoints"/> find a call that did not get this far.</summary>
internal interface IRelayCall
{
    RelayError? Error { get; }
}

/// <summary>
/// The verified caller and its parsed request: the parameter every relay endpoint takes. Bound by minimal APIs: it
/// checks the identity (set by the auth middleware or the gateway's assertion), reads the body within the
/// endpoint's limit with the same reader as the auth layer, and parses it; when any step fails the endpoint filter
/// answers with that step's error and the handler never runs.
/// </summary>
public sealed class RelayCall<TRequest> : IBindableFromHttpContext<RelayCall<TRequest>>, IRelayCall
    where TRequest : IRelayRequest<TRequest>
{
    private const int MaxJsonDepth = 64;
    private readonly PeerIdentity? _caller;
    private readonly TRequest? _request;

    private RelayCall(PeerIdentity? caller, TRequest? request, RelayError? error)
    {
        _caller = caller;
        _request = request;
        Error = error;
    }

    public PeerIdentity Caller => _caller ?? throw new InvalidOperationException("The call failed before it had a caller: " + Error?.Code);

    public TRequest Request => _request ?? throw new InvalidOperationException("The call failed before it had a request: " + Error?.Code);

    /// <summary>The caller's identity key, lowercase hex: whose mailbox this is.</summary>
    public string CallerKey => Caller.IdentityKey.Hex;

    RelayError? IRelayCall.Error => Error;

    private RelayError? Error { get; }

#pragma warning disable CA1000 // Minimal APIs bind through this static member of the generic type (IBindableFromHttpContext).
    public static async ValueTask<RelayCall<TRequest>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GetPeerIdentity() is not { } caller)
        {
            return new(null, default, RelayErrors.AuthRequired);
        }

        var options = context.RequestServices.GetRequiredService<IOptions<RelayOptions>>().Value;
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsDelete(request.Method))
        {
            return From(caller, ParseGuarded(RelayInput.FromQuery(request.Query), options));
        }

        var limit = TRequest.MaxBodyBytes(options);
        if (context.Features.Get<VerifiedRequestBody>() is { } verified)
        {
            // The auth layer (or the gateway-assertion check) already holds the exact bytes: parse them, no second copy.
            return Parse(caller, verified.Bytes, options);
        }

        using var body = await BoundedBody.ReadAsync(request, limit, context.RequestAborted);
        return body is null ? TooLarge(caller, limit) : Parse(caller, body.Memory, options);
    }

    private static RelayCall<TRequest> TooLarge(PeerIdentity caller, long limit) =>
        new(caller, default, TRequest.TooLarge.With($"The request is larger than the limit of {limit} bytes."));

    private static RelayCall<TRequest> Parse(PeerIdentity caller, ReadOnlyMemory<byte> json, RelayOptions options) => From(caller, ParseBody(json, options));

    /// <summary>
    /// A request body parsed exactly as the endpoint parses it (its size limit, depth limit, lone surrogates refused),
    /// for a caller that is not an HTTP request too: a live socket's send in the standalone host.
    /// </summary>
    public static Parsed<TRequest> ParseBody(ReadOnlyMemory<byte> json, RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = TRequest.MaxBodyBytes(options);
        if (json.Length > limit)
        {
            return TRequest.TooLarge.With($"The request is larger than the limit of {limit} bytes.");
        }

        using var document = BoundedBody.ParseObject(json, MaxJsonDepth);
        return document is null ? RelayErrors.InvalidJson : ParseGuarded(RelayInput.FromBody(document.RootElement), options);
    }
#pragma warning restore CA1000

    /// <summary>The parser's answer; a string with a lone surrogate escape (which JsonElement.GetString refuses) is invalid JSON, never a 500.</summary>
    private static Parsed<TRequest> ParseGuarded(RelayInput input, RelayOptions options)
    {
        try
        {
            return TRequest.Parse(input, options);
        }
        catch (InvalidOperationException) when (input.Body.ValueKind != JsonValueKind.Undefined)
        {
            return RelayErrors.InvalidJson.With("The request holds a string that is not valid UTF-16 (a lone surrogate escape).");
        }
    }

    private static RelayCall<TRequest> From(PeerIdentity caller, Parsed<TRequest> parsed) =>
        parsed.Succeeded ? new(caller, parsed.Value, null) : new(caller, default, parsed.Error);
}
