using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PeerServ.Relay.Options;

/// <summary>The one way every setting is read: a typed class bound to a section, validated when the host starts.</summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> and validates its data annotations at start-up,
    /// each failure naming the setting and the environment variable that sets it ("Relay:MaxRecipients (Relay__MaxRecipients): …").
    /// Registering the same options again adds nothing.
    /// </summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<T>();
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<T>) && d.ImplementationInstance is AnnotationsNamingTheSetting<T>))
        {
            return builder;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new AnnotationsNamingTheSetting<T>(section)));
        return builder.BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>"Section:Key (Section__Key)", the configuration key and its environment variable.</summary>
    public static string Setting(string section, string key) => $"{section}:{key} ({section.Replace(":", "__", StringComparison.Ordinal)}__{key})";

    private sealed class AnnotationsNamingTheSetting<T>(string section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(r =>
                $"{string.Join(", ", r.MemberNames.Select(m => Setting(section, m)))}: {r.ErrorMessage}"));
        }
    }
}
