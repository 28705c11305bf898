using System.ComponentModel;

namespace PeerServ.Relay.Wire;

public sealed record RegisterDeviceBody(
    [property: Description("The FCM registration token (trimmed; at most Devices:MaxTokenLength characters).")] string FcmToken,
    [property: Description("A name for the device; null when absent.")] string? DeviceId,
    [property: Description("ios, android or web; null when absent.")] string? Platform);

/// <param name="DeviceId">The registration's number: the same for every repeat registration of this token by this identity.</param>
public sealed record RegisterDeviceResponse(string Message, long DeviceId) : RelaySuccess;

/// <summary>One registration as /devices lists it; the token shows only its last 10 characters.</summary>
public sealed record DeviceView(long Id, string? DeviceId, string? Platform, string FcmToken, bool Active, string CreatedAt, string UpdatedAt, string? LastUsed);

public sealed record ListDevicesResponse(IReadOnlyList<DeviceView> Devices) : RelaySuccess;
