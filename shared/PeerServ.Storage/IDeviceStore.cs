namespace PeerServ.Storage;

/// <summary>
/// The devices that receive push notifications for an identity, keyed by (identity, FCM token): several identities
/// (wallet profiles) may share one phone's token, and a token is never moved from one identity to another. Every
/// method completes durably or throws <see cref="StoreUnavailableException"/>.
/// </summary>
public interface IDeviceStore
{
    /// <summary>
    /// Registers the token for the identity, or refreshes the registration it has (same <see cref="RegisteredDevice.Id"/>,
    /// active again, device id and platform replaced). When the identity then holds more than <paramref name="maxDevices"/>
    /// registrations, the least recently updated others are removed.
    /// </summary>
    Task<RegisteredDevice> RegisterAsync(DeviceRegistration registration, int maxDevices, CancellationToken cancellationToken);

    /// <summary>The identity's registrations, most recently updated first.</summary>
    Task<IReadOnlyList<RegisteredDevice>> ListAsync(string identity, CancellationToken cancellationToken);

    /// <summary>Removes one registration; false when there was none.</summary>
    Task<bool> UnregisterAsync(string identity, string fcmToken, CancellationToken cancellationToken);

    /// <summary>A push to this registration was accepted (last used) or refused for good (inactive: no more pushes until it registers again).</summary>
    Task RecordPushAsync(string identity, string fcmToken, bool accepted, DateTimeOffset now, CancellationToken cancellationToken);
}

public sealed record DeviceRegistration(string Identity, string FcmToken, string? DeviceId, string? Platform, DateTimeOffset Now);

/// <param name="Id">A positive number, the same for every repeat registration of (identity, token).</param>
public sealed record RegisteredDevice(
    long Id,
    string Identity,
    string FcmToken,
    string? DeviceId,
    string? Platform,
    bool Active,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastUsed);
