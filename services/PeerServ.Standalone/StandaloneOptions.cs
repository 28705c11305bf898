using System.ComponentModel.DataAnnotations;

namespace PeerServ.Standalone;

/// <summary>Section "Standalone": where the one-process relay keeps its data.</summary>
public sealed class StandaloneOptions
{
    public const string SectionName = "Standalone";

    /// <summary>Holds relay.db and, unless Auth:ServerPrivateKey is set, the server key (server-key.hex). Relative to the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "peerserv-data";

    public string DataPath => Path.GetFullPath(DataDirectory);
}
