using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace PeerServ.Permissions.Push;

/// <summary>
/// Configuration section "Push": FCM push notifications for new messages in the push boxes. Off unless a Firebase
/// service-account key is configured (<see cref="CredentialsFile"/> or <see cref="CredentialsJson"/>).
/// </summary>
public sealed class PushOptions
{
    public const string SectionName = "Push";

    /// <summary>Path of the Firebase project's service-account key (the JSON file the Firebase console downloads).</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>The service-account key itself (its JSON), for a secret delivered as an environment variable.</summary>
    public string? CredentialsJson { get; set; }

    /// <summary>The Firebase project; by default the key's project_id.</summary>
    public string? ProjectId { get; set; }

    /// <summary>Base URL of the FCM HTTP v1 API (messages are POSTed to v1/projects/{project}/messages:send under it).</summary>
    [Required]
    public Uri FcmUrl { get; set; } = new("https://fcm.googleapis.com/");

    /// <summary>Boxes whose new messages are pushed, comma-separated (the reference pushes `notifications` only).</summary>
    [Required]
    [RegularExpression(@"^[^,\s][^,]*(,[^,\s][^,]*)*$", ErrorMessage = "must be box names separated by commas, e.g. notifications,alerts")]
    public string Boxes { get; set; } = "notifications";

    /// <summary>Time allowed for one FCM call, in seconds.</summary>
    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Retries of one FCM call after a 429, a 5xx, a timeout or a network error (with backoff, honouring Retry-After).</summary>
    [Range(1, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay, in milliseconds; each next one doubles it (with jitter).</summary>
    [Range(10, 60_000)]
    public int RetryDelayMilliseconds { get; set; } = 1000;

    public bool Enabled => !string.IsNullOrWhiteSpace(CredentialsFile) || !string.IsNullOrWhiteSpace(CredentialsJson);

    public bool PushesTo(string messageBox) => Boxes.Split(',').Contains(messageBox, StringComparer.Ordinal);

    /// <summary>Whether the configuration turns push on (decides, at start-up, whether the push consumer exists at all).</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        return !string.IsNullOrWhiteSpace(section[nameof(CredentialsFile)]) || !string.IsNullOrWhiteSpace(section[nameof(CredentialsJson)]);
    }
}
