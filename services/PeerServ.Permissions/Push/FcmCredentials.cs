using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;
using PeerServ.Relay.Options;

namespace PeerServ.Permissions.Push;

/// <summary>
/// The Firebase service account: OAuth2 access tokens for the FCM scope (Google.Apis.Auth signs the JWT, exchanges it
/// at the key's token_uri, caches the token and refreshes it before it expires), and the project to send through.
/// </summary>
internal sealed class FcmCredentials
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly ITokenAccess _tokens;

    private FcmCredentials(ITokenAccess tokens, string projectId)
    {
        _tokens = tokens;
        ProjectId = projectId;
    }

    public string ProjectId { get; }

    public Task<string> AccessTokenAsync(CancellationToken cancellationToken) => _tokens.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Reads the key, or says which setting is wrong. The messages never quote the key: parser errors can echo the
    /// text they choke on, and that text is a private key.
    /// </summary>
    public static (FcmCredentials? Credentials, string? Error) TryLoad(PushOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fromFile = string.IsNullOrWhiteSpace(options.CredentialsJson);
        var setting = ValidatedOptions.Setting(PushOptions.SectionName, fromFile ? nameof(PushOptions.CredentialsFile) : nameof(PushOptions.CredentialsJson));
        string json;
        try
        {
            json = fromFile ? File.ReadAllText(options.CredentialsFile!) : options.CredentialsJson!;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{setting}: the key file cannot be read ({e.GetType().Name}).");
        }

        ServiceAccountCredential account;
        try
        {
            account = CredentialFactory.FromJson<ServiceAccountCredential>(json);
        }
#pragma warning disable CA1031 // any parser failure means the same thing: not a usable key
        catch (Exception)
#pragma warning restore CA1031
        {
            return (null, $"{setting}: not a service-account key (JSON with \"type\": \"service_account\", client_email and private_key).");
        }

        var project = string.IsNullOrWhiteSpace(options.ProjectId) ? account.ProjectId : options.ProjectId;
        if (string.IsNullOrWhiteSpace(project))
        {
            return (null, $"{ValidatedOptions.Setting(PushOptions.SectionName, nameof(PushOptions.ProjectId))}: is required when the key names no project_id.");
        }

        return (new FcmCredentials(account.ToGoogleCredential().CreateScoped(Scope), project), null);
    }

    /// <summary>Start-up check of a configured key, so that a bad one stops the service with the setting's name rather than failing every push.</summary>
    internal sealed class Validation : IValidateOptions<PushOptions>
    {
        public ValidateOptionsResult Validate(string? name, PushOptions options) =>
            !options.Enabled || TryLoad(options).Error is not { } error ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }
}
