using Tracemark.Server.Platform.Database;

namespace Tracemark.Server.Tests.Platform;

/// <summary>The embedded cluster's memory and WAL sizes, from the machine's memory and the free disk.</summary>
public sealed class ClusterSizingTests
{
    private const long MiB = 1024L * 1024;
    private const long GiB = 1024 * MiB;

    [Theory]
    [InlineData(24 * GiB, 78 * GiB, "2048MB", "8192MB")] // this project's benchmark machine: both capped
    [InlineData(8 * GiB, 40 * GiB, "1024MB", "5120MB")] // an eighth of each
    [InlineData(2 * GiB, 4 * GiB, "256MB", "1024MB")] // a small disk keeps initdb's WAL limit
    [InlineData(512 * MiB, 200 * GiB, "128MB", "8192MB")] // a small machine keeps initdb's buffers
    [InlineData(3 * GiB + 5, 9 * GiB + 7, "384MB", "1152MB")] // whole megabytes, rounded down
    public void Sizes_follow_the_machine_within_their_bounds(long memory, long freeDisk, string sharedBuffers, string maxWal)
    {
        var settings = ClusterSizing.Settings(memory, freeDisk);

        Assert.Equal([("shared_buffers", sharedBuffers), ("max_wal_size", maxWal)], settings);
    }

    [Fact]
    public void What_is_not_known_is_left_to_PostgreSQL()
    {
        Assert.Empty(ClusterSizing.Settings(0, 0));
        Assert.Equal([("max_wal_size", "8192MB")], ClusterSizing.Settings(0, 100 * GiB));
        Assert.Equal([("shared_buffers", "2048MB")], ClusterSizing.Settings(64 * GiB, 0));
    }

    [Fact]
    public void This_machine_gets_options_postgres_reads()
    {
        var options = ClusterSizing.CommandLineFor(Path.GetTempPath());

        Assert.Matches(@"^-c shared_buffers=\d+MB -c max_wal_size=\d+MB$", options);
    }
}
