using System.Globalization;

namespace Tracemark.Server.Platform.Database;

/// <summary>
/// Memory and WAL settings for the embedded cluster, sized from the machine rather than initdb's defaults, which are
/// made for a machine of any size (128 MB of shared buffers, 1 GB of WAL between checkpoints). The deadline sweep
/// over a million notices measured 12.2 s on initdb's sizes and 7.7 s with these (docs/benchmarks.md, issue 6):
/// with the tables it changes in shared buffers, a backend no longer copies each page in from the kernel and writes a
/// dirty one back to make room, and with room for the sweep's WAL no checkpoint starts in the middle of it (each one
/// makes the next change of every page write the whole page to the WAL again).
/// </summary>
internal static class ClusterSizing
{
    private const long MiB = 1024L * 1024;
    private const long GiB = 1024 * MiB;

    /// <summary>initdb's own size, kept on small machines: less would slow every query that reads a table twice.</summary>
    private const long MinimumSharedBuffers = 128 * MiB;

    /// <summary>
    /// The cluster shares the machine with the application, the evidence files and the operating system's cache of
    /// them, so it takes an eighth of the memory (PostgreSQL's own guide starts a dedicated server at a quarter),
    /// and no more than 2 GB, which holds a million open notices with their timers and listings.
    /// </summary>
    private const long MaximumSharedBuffers = 2 * GiB;

    /// <summary>WAL allowed between checkpoints: room for a sweep of a million restores (about 3.4 GB with full-page images).</summary>
    private const long MaximumWal = 8 * GiB;

    /// <summary>initdb's own limit, kept when the disk is small.</summary>
    private const long MinimumWal = 1 * GiB;

    /// <summary>
    /// The <c>-c name=value</c> settings for a machine with <paramref name="memoryBytes"/> of memory available to the
    /// process (0 when unknown) and <paramref name="freeDiskBytes"/> free where the cluster lives (0 when unknown).
    /// WAL may take at most an eighth of the free disk: it is kept until the next checkpoint.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> Settings(long memoryBytes, long freeDiskBytes)
    {
        var settings = new List<(string, string)>();
        if (memoryBytes > 0)
        {
            var buffers = Math.Clamp(memoryBytes / 8, MinimumSharedBuffers, MaximumSharedBuffers);
            settings.Add(("shared_buffers", Megabytes(buffers)));
        }

        if (freeDiskBytes > 0)
        {
            var wal = Math.Clamp(freeDiskBytes / 8, MinimumWal, MaximumWal);
            settings.Add(("max_wal_size", Megabytes(wal)));
        }

        return settings;
    }

    /// <summary>The settings for this machine, as options of <c>postgres</c>.</summary>
    public static string CommandLineFor(string clusterFolder)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long freeDisk;
        try
        {
            freeDisk = new DriveInfo(Path.GetFullPath(clusterFolder)).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            freeDisk = 0;
        }

        return string.Join(' ', Settings(memory, freeDisk).Select(s => "-c " + s.Name + "=" + s.Value));
    }

    // Whole megabytes: PostgreSQL reads "MB" as 1024 × 1024 bytes.
    private static string Megabytes(long bytes) => (bytes / MiB).ToString(CultureInfo.InvariantCulture) + "MB";
}
