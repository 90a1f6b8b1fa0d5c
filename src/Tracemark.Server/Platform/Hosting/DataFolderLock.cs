namespace Tracemark.Server.Platform.Hosting;

/// <summary>One process at a time may use a data folder: two PostgreSQL launchers on one cluster would fight.</summary>
internal static class DataFolderLock
{
    public static FileStream Acquire(string dataFolder)
    {
        try
        {
            Directory.CreateDirectory(dataFolder);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException($"cannot create the data folder {dataFolder}: permission denied; set TRACEMARK_DATA to a folder you may write", ex);
        }

        var lockPath = Path.Combine(dataFolder, "tracemark.lock");
        try
        {
            // FileShare.None is an advisory flock on Unix: a second Tracemark on the same folder is refused.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StartupException($"the data folder {dataFolder} belongs to another user ({Owner(dataFolder)}): run as that user or set TRACEMARK_DATA to a folder of your own", ex);
        }
        catch (IOException ex)
        {
            throw new StartupException($"the data folder {dataFolder} is in use by another Tracemark process: stop it first, or set TRACEMARK_DATA to another folder", ex);
        }
    }

    private static string Owner(string path)
    {
        try
        {
            var result = ProcessRunner.RunAsync("stat", ["-c", "%U", path], timeout: TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            return result.Succeeded ? result.Output.Trim() : "unknown";
        }
        catch (StartupException)
        {
            return "unknown";
        }
    }
}
