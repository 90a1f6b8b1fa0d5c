using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tracemark.Server.Platform.Database;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Tests.Platform;

/// <summary>The embedded default on a real cluster: first start, restart, crashes, damage and conflicts.</summary>
public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tracemark-launcher-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task First_start_creates_a_cluster_that_accepts_connections_and_stop_stops_it()
    {
        var embedded = await StartAsync();
        Assert.Equal(1, await ScalarAsync<int>(embedded.ConnectionString, "SELECT 1"));
        Assert.True(File.Exists(Path.Combine(_folder, "postgres", "PG_VERSION")));
        Assert.False(Directory.Exists(Path.Combine(_folder, "postgres.initializing")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "postgres.password")));

        var pid = PostmasterPid();
        await embedded.DisposeAsync();
        Assert.False(File.Exists(Path.Combine(_folder, "postgres", "postmaster.pid")));
        Assert.True(await ExitsWithinAsync(pid, TimeSpan.FromSeconds(10)), $"postmaster {pid} still runs 10 s after the stop");
    }

    [Fact]
    public async Task The_cluster_runs_with_the_sizes_of_this_machine_not_initdbs()
    {
        await using var embedded = await StartAsync();
        var expected = ClusterSizing.Settings(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, new DriveInfo(_folder).AvailableFreeSpace).ToDictionary(s => s.Name, s => s.Value);

        var sharedBuffersMb = await ScalarAsync<long>(embedded.ConnectionString, "SELECT setting::bigint * 8 / 1024 FROM pg_settings WHERE name = 'shared_buffers'");
        var maxWalMb = await ScalarAsync<long>(embedded.ConnectionString, "SELECT setting::bigint FROM pg_settings WHERE name = 'max_wal_size'");

        Assert.Equal(expected["shared_buffers"], sharedBuffersMb.ToString(CultureInfo.InvariantCulture) + "MB");

        // The free disk moves a little between the start and this read (the cluster's own files).
        var expectedWalMb = long.Parse(expected["max_wal_size"].TrimEnd('M', 'B'), CultureInfo.InvariantCulture);
        Assert.InRange(maxWalMb, expectedWalMb * 99 / 100, expectedWalMb * 101 / 100);
    }

    [Fact]
    public async Task A_restart_finds_the_same_data_again()
    {
        await using (var first = await StartAsync())
        {
            await ScalarAsync<int>(first.ConnectionString, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here'); SELECT 1");
        }

        await using var second = await StartAsync();
        Assert.Equal("still here", await ScalarAsync<string>(second.ConnectionString, "SELECT v FROM kept"));
    }

    [Fact]
    public async Task A_stale_postmaster_pid_after_kill_9_is_handled()
    {
        var first = await StartAsync();
        var connection = first.ConnectionString;
        await ScalarAsync<int>(connection, "CREATE TABLE survived (v int); INSERT INTO survived VALUES (42); SELECT 1");
        var pid = PostmasterPid();

        // Kill PostgreSQL as a power cut would; its postmaster.pid stays behind.
        Process.GetProcessById(pid).Kill(entireProcessTree: true);
        await WaitUntilAsync(() => !IsRunning(pid));
        Assert.True(File.Exists(Path.Combine(_folder, "postgres", "postmaster.pid")));
        await ReleaseLockWithoutStoppingAsync(first);

        await using var second = await StartAsync();
        Assert.Equal(42, await ScalarAsync<int>(second.ConnectionString, "SELECT v FROM survived"));
    }

    [Fact]
    public async Task A_postgres_orphaned_by_a_killed_server_is_stopped_and_started_afresh()
    {
        var first = await StartAsync();
        var orphanPid = PostmasterPid();

        // The server process died (kill -9) but its PostgreSQL lives on: only the folder lock is gone.
        await ReleaseLockWithoutStoppingAsync(first);
        await using var second = await StartAsync();

        Assert.True(await ExitsWithinAsync(orphanPid, TimeSpan.FromSeconds(10)), $"the orphan postmaster {orphanPid} still runs 10 s after the second start");
        Assert.NotEqual(orphanPid, PostmasterPid());
        Assert.Equal(1, await ScalarAsync<int>(second.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task A_second_process_on_the_same_folder_is_refused()
    {
        await using var first = await StartAsync();
        var error = await Assert.ThrowsAsync<StartupException>(StartAsync);
        Assert.Contains("in use by another Tracemark process", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<int>(first.ConnectionString, "SELECT 1"));
    }

    [Fact]
    public async Task A_damaged_data_folder_is_reported_and_left_alone()
    {
        await (await StartAsync()).DisposeAsync();
        File.Delete(Path.Combine(_folder, "postgres", "PG_VERSION"));
        var before = Directory.GetFiles(_folder, "*", SearchOption.AllDirectories).Length;

        var error = await Assert.ThrowsAsync<StartupException>(StartAsync);

        Assert.Contains("is damaged", error.Message, StringComparison.Ordinal);
        Assert.Contains("PG_VERSION", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(_folder, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task An_interrupted_initialisation_is_discarded_and_redone()
    {
        // What a crash in the middle of initdb leaves: a partial folder under the temporary name.
        Directory.CreateDirectory(Path.Combine(_folder, "postgres.initializing", "base"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "postgres.initializing", "junk"), "half", TestContext.Current.CancellationToken);

        await using var embedded = await StartAsync();
        Assert.Equal(1, await ScalarAsync<int>(embedded.ConnectionString, "SELECT 1"));
        Assert.False(Directory.Exists(Path.Combine(_folder, "postgres.initializing")));
    }

    [Fact]
    public async Task Missing_postgres_programs_are_named_with_what_to_do()
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => EmbeddedPostgres.StartAsync(_folder, new EmbeddedPostgresOptions("/nonexistent/bin"), NullLogger.Instance, TestContext.Current.CancellationToken));
        Assert.Contains("/nonexistent/bin", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "postgres")));
    }

    public void Dispose()
    {
        // Clusters are stopped by the tests; a failed test may leave one running, so stop it here too.
        if (File.Exists(Path.Combine(_folder, "postgres", "postmaster.pid")))
        {
            var pid = PostmasterPid();
            if (IsRunning(pid))
            {
                Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private Task<EmbeddedPostgres> StartAsync() => EmbeddedPostgres.StartAsync(_folder, new EmbeddedPostgresOptions(), NullLogger.Instance, TestContext.Current.CancellationToken);

    private int PostmasterPid() => int.Parse(File.ReadLines(Path.Combine(_folder, "postgres", "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>
    /// PostgreSQL removes postmaster.pid (what pg_ctl's stop waits for) just before its process ends, so on a busy
    /// machine the process can still be seen for a moment after the stop returned.
    /// </summary>
    private static async Task<bool> ExitsWithinAsync(int pid, TimeSpan limit)
    {
        var until = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (IsRunning(pid))
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            // Gone between the look and the read, or never there.
            return false;
        }
    }

    /// <summary>Simulates the death of the process that started the cluster: the lock goes, PostgreSQL stays.</summary>
    private static async Task ReleaseLockWithoutStoppingAsync(EmbeddedPostgres embedded)
    {
        var field = typeof(EmbeddedPostgres).GetField("_folderLock", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        await ((FileStream)field.GetValue(embedded)!).DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition());
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
