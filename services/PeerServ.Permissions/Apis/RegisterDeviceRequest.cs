using System.Text.Json;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.ServiceDefaults.Endpoints;

namespace PeerServ.Permissions.Apis;

/// <summary>A /registerDevice body: fcmToken (required, trimmed), deviceId and platform (ios, android, web) optional.</summary>
internal sealed record RegisterDeviceRequest(string FcmToken, string? DeviceId, string? Platform) : IRelayRequest<RegisterDeviceRequest>
{
    private const int MaxDeviceIdLength = 256;

    public static Parsed<RegisterDeviceRequest> Parse(RelayInput input, RelayOptions options)
    {
        var root = input.Body;
        if (!root.TryGetProperty("fcmToken", out var token) || token.ValueKind != JsonValueKind.String || token.GetString()!.Trim() is not { Length: > 0 } fcmToken
            || fcmToken.Any(char.IsControl))
        {
            return RelayErrors.InvalidFcmToken;
        }

        string? platform = null;
        if (root.TryGetProperty("platform", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            platform = p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (platform is not ("ios" or "android" or "web"))
            {
                return RelayErrors.InvalidPlatform;
            }
        }

        string? deviceId = null;
        if (root.TryGetProperty("deviceId", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            deviceId = d.ValueKind == JsonValueKind.String ? d.GetString()!.Trim() : null;
            if (deviceId is null || deviceId.Length > MaxDeviceIdLength || deviceId.Any(char.IsControl))
            {
                return RelayErrors.InvalidDeviceId;
            }

            deviceId = deviceId.Length == 0 ? null : deviceId;
        }

        return new RegisterDeviceRequest(fcmToken, deviceId, platform);
    }
}

/// <summary>GET /devices takes no parameters.</summary>
internal sealed record ListDevicesRequest : IRelayRequest<ListDevicesRequest>
{
    private static readonly ListDevicesRequest Instance = new();

    public static Parsed<ListDevicesRequest> Parse(RelayInput input, RelayOptions options) => Instance;
}
