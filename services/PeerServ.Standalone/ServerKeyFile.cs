using PeerServ.Auth.Crypto;

namespace PeerServ.Standalone;

/// <summary>The standalone host's identity: created on first run in the data directory (owner-only), reused after.</summary>
internal static class ServerKeyFile
{
    public const string FileName = "server-key.hex";

    public static PrivateKey LoadOrCreate(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            // Owner-only, like everything the relay keeps there.
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return PrivateKey.FromHex(File.ReadAllText(path));
        }

        var key = PrivateKey.Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            writer.Write(key.ToHex());
        }

        return key;
    }
}
