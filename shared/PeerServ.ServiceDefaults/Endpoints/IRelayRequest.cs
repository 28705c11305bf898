using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PeerServ.Relay;
using PeerServ.Relay.Errors;

namespace PeerServ.ServiceDefaults.Endpoints;

/// <summary>
/// A relay request as its endpoint receives it, parsed from the wire by <see cref="Parse"/>: a pure function of the
/// input and the limits that returns the request or the catalogue error to answer with, testable without HTTP.
/// </summary>
public interface IRelayRequest<TSelf>
    where TSelf : IRelayRequest<TSelf>
{
    static abstract Parsed<TSelf> Parse(RelayInput input, RelayOptions options);

    /// <summary>The largest body this endpoint reads (a POST); larger gets <see cref="TooLarge"/> before it is buffered.</summary>
    static virtual long MaxBodyBytes(RelayOptions options) => options.MaxListRequestBytes;

    static virtual RelayError TooLarge => RelayErrors.RequestTooLarge;
}

/// <summary>What a parser reads: the JSON object of a POST body, or the query string of a GET.</summary>
public readonly record struct RelayInput(JsonElement Body, IQueryCollection Query)
{
    public static RelayInput FromBody(JsonElement body) => new(body, QueryCollection.Empty);

    public static RelayInput FromQuery(IQueryCollection query) => new(default, query);
}
