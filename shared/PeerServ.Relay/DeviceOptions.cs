using System.ComponentModel.DataAnnotations;

namespace PeerServ.Relay;

/// <summary>Configuration section "Devices": the push registrations one identity may hold.</summary>
public sealed class DeviceOptions
{
    public const string SectionName = "Devices";

    /// <summary>Registrations kept per identity; registering one more removes the least recently updated.</summary>
    [Range(1, 1000)]
    public int MaxPerIdentity { get; set; } = 20;

    /// <summary>Longest FCM token accepted, in characters (real ones are about 160).</summary>
    [Range(16, 65_536)]
    public int MaxTokenLength { get; set; } = 4096;
}
