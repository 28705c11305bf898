using System.Text.Json.Serialization;

namespace PeerServ.Relay.Wire;

/// <summary>Every success answer starts with "status":"success" (HTTP answers only; events carry no status).</summary>
public abstract record RelaySuccess
{
    [JsonPropertyOrder(-1)]
    public string Status { get; } = "success";
}
