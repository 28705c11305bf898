using Microsoft.Extensions.Options;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;
using PeerServ.Storage;

namespace PeerServ.Permissions.Apis;

/// <summary>/registerDevice and /devices: an identity registers and sees only its own devices.</summary>
public static class DevicesApi
{
    private const int ShownTokenCharacters = 10;

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelay(RelayApi.RegisterDevice, RegisterAsync);
        endpoints.MapRelay(RelayApi.ListDevices, ListAsync);
        return endpoints;
    }

    private static async Task<IResult> RegisterAsync(
        RelayCall<RegisterDeviceRequest> call, IDeviceStore store, IOptions<DeviceOptions> options, TimeProvider time, CancellationToken aborted)
    {
        var request = call.Request;
        if (request.FcmToken.Length > options.Value.MaxTokenLength)
        {
            return RelayErrors.InvalidFcmToken.With($"fcmToken is longer than {options.Value.MaxTokenLength} characters.").ToResult();
        }

        var device = await store.RegisterAsync(new DeviceRegistration(call.CallerKey, request.FcmToken, request.DeviceId, request.Platform, time.GetUtcNow()),
            options.Value.MaxPerIdentity, aborted);
        return TypedResults.Json(new RegisterDeviceResponse("Device registered successfully for push notifications", device.Id), RelayJson.Options);
    }

    private static async Task<IResult> ListAsync(RelayCall<ListDevicesRequest> call, IDeviceStore store, CancellationToken aborted)
    {
        var devices = await store.ListAsync(call.CallerKey, aborted);
        var views = devices.Select(d => new DeviceView(d.Id, d.DeviceId, d.Platform, Truncate(d.FcmToken), d.Active,
            RelayJson.Timestamp(d.CreatedAt), RelayJson.Timestamp(d.UpdatedAt), d.LastUsed is { } used ? RelayJson.Timestamp(used) : null)).ToList();
        return TypedResults.Json(new ListDevicesResponse(views), RelayJson.Options);
    }

    /// <summary>"..." and the last 10 characters, as the TypeScript server shows tokens: enough to tell devices apart, not to push to them.</summary>
    private static string Truncate(string token) => "..." + token[Math.Max(0, token.Length - ShownTokenCharacters)..];
}
