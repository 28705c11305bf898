using System.Text.Encodings.Web;
using System.Text.Json;

namespace PeerServ.Relay;

/// <summary>How the relay writes JSON: web casing and JavaScript-like escaping, so message bodies keep their characters instead of \u escapes.</summary>
public static class RelayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>How every timestamp goes on the wire: ISO 8601 UTC with milliseconds, as the TypeScript servers write them.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}
