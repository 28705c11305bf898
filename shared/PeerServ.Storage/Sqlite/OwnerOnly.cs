namespace PeerServ.Storage.Sqlite;

/// <summary>
/// Files only the relay's own user may read: the data directory 0700 and the database 0600. SQLite creates its -wal and
/// -shm files with the database file's mode, so creating the database first keeps every mailbox body private whatever
/// the process umask. Existing files are tightened too (a directory made by an older version was 0755, its files 0644).
/// </summary>
internal static class OwnerOnly
{
    private const UnixFileMode Directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void PrepareDatabase(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
            return;
        }

        System.IO.Directory.CreateDirectory(directory, Directory);
        System.IO.File.SetUnixFileMode(directory, Directory);
        if (!System.IO.File.Exists(path))
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = File });
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(System.IO.File.Exists))
        {
            System.IO.File.SetUnixFileMode(file, File);
        }
    }
}
