using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Database;

/// <summary>
/// The embedded default: a private PostgreSQL cluster in the data folder, started from the machine's
/// PostgreSQL binaries when no connection string is configured, and stopped when the platform stops.
/// </summary>
/// <remarks>
/// Layout of the data folder:
/// <c>postgres/</c> the cluster (owned by the user PostgreSQL runs as),
/// <c>postgres.password</c> the generated superuser password (0600),
/// <c>tracemark.lock</c> held while a process uses the folder.
/// A cluster is created in <c>postgres.initializing/</c> and renamed into place only when complete,
/// so a crash during initialisation never leaves a half-made cluster that looks real.
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string DatabaseName = "tracemark";
    private const string SuperUser = "tracemark";
    private readonly ILogger _logger;
    private readonly PostgresBinaries _binaries;
    private readonly string? _runAs;
    private readonly FileStream _folderLock;
    private int _stopped;

    private EmbeddedPostgres(string dataFolder, PostgresBinaries binaries, string? runAs, FileStream folderLock, ILogger logger)
    {
        DataFolder = dataFolder;
        _binaries = binaries;
        _runAs = runAs;
        _folderLock = folderLock;
        _logger = logger;
    }

    public string DataFolder { get; }

    public string ClusterFolder => Path.Combine(DataFolder, "postgres");

    public int Port { get; private set; }

    public string ConnectionString { get; private set; } = "";

    /// <summary>Creates the cluster if needed, starts it and waits until it accepts connections.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataFolder, EmbeddedPostgresOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        var binaries = PostgresBinaries.Locate(options.BinDirectory);
        var runAs = UnixUser.IsRoot() ? options.RunAsUser ?? "postgres" : null;
        if (runAs is not null && !UnixUser.Exists(runAs))
        {
            throw new StartupException($"running as root, PostgreSQL needs an unprivileged user, and user '{runAs}' does not exist: install PostgreSQL from Debian (it creates 'postgres'), create the user, or set TRACEMARK_PG_USER to an existing one");
        }

        dataFolder = Path.GetFullPath(dataFolder);
        var folderLock = DataFolderLock.Acquire(dataFolder);
        var instance = new EmbeddedPostgres(dataFolder, binaries, runAs, folderLock, logger);
        try
        {
            await instance.InitialiseIfMissingAsync(cancellationToken);
            await instance.StartClusterAsync(cancellationToken);
            await instance.EnsureDatabaseAsync(cancellationToken);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(ClusterFolder, "postmaster.pid")))
            {
                var result = await PgCtlAsync(["stop", "-D", ClusterFolder, "-m", "fast", "-w", "-t", "60"], CancellationToken.None);
                if (result.Succeeded)
                {
                    _logger.LogInformation("Embedded PostgreSQL stopped");
                }
                else
                {
                    _logger.LogWarning("Embedded PostgreSQL did not stop cleanly: {Reason}", result.LastLine);
                }
            }
        }
        finally
        {
            await _folderLock.DisposeAsync();
        }
    }

    private string PasswordFile => Path.Combine(DataFolder, "postgres.password");

    private async Task InitialiseIfMissingAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(ClusterFolder))
        {
            var versionFile = Path.Combine(ClusterFolder, "PG_VERSION");
            if (!File.Exists(versionFile) || !File.Exists(PasswordFile))
            {
                throw new StartupException($"the data folder {DataFolder} is damaged ({(File.Exists(PasswordFile) ? "postgres/PG_VERSION" : "postgres.password")} is missing): restore it from a backup, or move it away to start with an empty one");
            }

            var version = (await File.ReadAllTextAsync(versionFile, cancellationToken)).Trim();
            if (!string.Equals(version, _binaries.MajorVersion, StringComparison.Ordinal))
            {
                throw new StartupException($"the data folder {DataFolder} holds a PostgreSQL {version} cluster but this machine has PostgreSQL {_binaries.MajorVersion}: install postgresql-{version}, or upgrade the cluster with pg_upgrade");
            }

            return;
        }

        _logger.LogInformation("Creating the embedded PostgreSQL cluster in {Folder}", ClusterFolder);
        var initialising = ClusterFolder + ".initializing";
        if (Directory.Exists(initialising))
        {
            // Left by a crash during an earlier initialisation: nothing in it was ever used.
            Directory.Delete(initialising, recursive: true);
        }

        Directory.CreateDirectory(initialising);
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var passwordForInitdb = Path.Combine(DataFolder, "postgres.password.initdb");
        await File.WriteAllTextAsync(passwordForInitdb, password, cancellationToken);
        try
        {
            File.SetUnixFileMode(passwordForInitdb, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(initialising, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (_runAs is not null)
            {
                await ChownAsync(initialising, cancellationToken);
                await ChownAsync(passwordForInitdb, cancellationToken);
                await EnsureReachableByRunAsUserAsync(initialising, cancellationToken);
            }

            var initdb = await ProcessRunner.RunAsync(
                _binaries.Tool("initdb"),
                ["-D", initialising, "-U", SuperUser, "--pwfile", passwordForInitdb, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                _runAs,
                TimeSpan.FromMinutes(3),
                cancellationToken);
            if (!initdb.Succeeded)
            {
                throw new StartupException($"initdb failed in {initialising}: {initdb.LastLine}");
            }

            // Settings the launcher relies on live in their own file so postgresql.conf stays as initdb wrote it.
            await File.AppendAllTextAsync(Path.Combine(initialising, "postgresql.conf"), "\ninclude_if_exists = 'tracemark.conf'\n", cancellationToken);
            await File.WriteAllTextAsync(
                Path.Combine(initialising, "tracemark.conf"),
                """
                # Written by Tracemark's embedded launcher.
                listen_addresses = '127.0.0.1'
                unix_socket_directories = ''
                max_connections = 200
                logging_collector = off
                log_min_messages = warning
                """,
                cancellationToken);
            if (_runAs is not null)
            {
                await ChownAsync(initialising, cancellationToken);
            }

            await File.WriteAllTextAsync(PasswordFile + ".tmp", password, cancellationToken);
            File.SetUnixFileMode(PasswordFile + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(PasswordFile + ".tmp", PasswordFile, overwrite: true);
            Directory.Move(initialising, ClusterFolder);
        }
        catch
        {
            // Nothing half-made stays behind to be mistaken for a cluster or to block the next attempt.
            if (Directory.Exists(initialising))
            {
                Directory.Delete(initialising, recursive: true);
            }

            throw;
        }
        finally
        {
            File.Delete(passwordForInitdb);
        }
    }

    private async Task StartClusterAsync(CancellationToken cancellationToken)
    {
        await ClearStalePostmasterAsync(cancellationToken);
        var password = (await File.ReadAllTextAsync(PasswordFile, cancellationToken)).Trim();
        var log = Path.Combine(ClusterFolder, "server.log");
        string? lastProblem = null;

        // Given at every start, not written to the cluster: a cluster moved to another machine is sized for that one.
        var sizing = ClusterSizing.CommandLineFor(ClusterFolder);

        // A port chosen free can be taken by someone else before PostgreSQL binds it: try a few.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = FreeLoopbackPort();

            // Benchmarks only (e.g. "-c shared_preload_libraries=pg_stat_statements"): settings for this start, never written to the cluster.
            var extra = Environment.GetEnvironmentVariable("TRACEMARK_BENCH_PG_OPTIONS");
            var options = "-p " + port.ToString(CultureInfo.InvariantCulture) + " " + sizing + (string.IsNullOrWhiteSpace(extra) ? "" : " " + extra);
            var result = await PgCtlAsync(
                ["start", "-D", ClusterFolder, "-l", log, "-w", "-t", "60", "-o", options],
                cancellationToken);
            if (result.Succeeded)
            {
                Port = port;
                ConnectionString = new NpgsqlConnectionStringBuilder
                {
                    Host = "127.0.0.1",
                    Port = port,
                    Username = SuperUser,
                    Password = password,
                    Database = DatabaseName,
                    MaxPoolSize = 100,

                    // Parsing and planning were a third of PostgreSQL's time when filing notices under load: a
                    // statement run again on a connection is prepared once. Safe here, with no pooler in between
                    // (an external database's connection string says for itself whether it can).
                    MaxAutoPrepare = 256,
                    AutoPrepareMinUsages = 2,

                    // A pooled connection was reset on every reuse (seven statements sent as text, parsed each
                    // time: two such resets per filed notice, for the API key check and the request). The
                    // application leaves no session state to reset: its settings are set_config(..., true),
                    // local to a transaction, and its temporary tables are ON COMMIT DROP.
                    NoResetOnClose = true,
                }.ConnectionString;
                _logger.LogInformation("Embedded PostgreSQL {Version} listening on 127.0.0.1:{Port}", _binaries.MajorVersion, port);
                return;
            }

            lastProblem = LastLogLine(log) ?? result.LastLine;
            if (lastProblem is null || !lastProblem.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }

        throw new StartupException($"the embedded PostgreSQL did not start: {lastProblem} (log: {log})");
    }

    /// <summary>
    /// After a crash the cluster may hold a postmaster.pid whose process is gone (or was reused by
    /// another program), or a PostgreSQL orphaned by a killed server that still runs. Either way the
    /// folder is ours (we hold its lock), so stop the orphan or drop the stale file.
    /// </summary>
    private async Task ClearStalePostmasterAsync(CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(ClusterFolder, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        if (lines.Length > 0 && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsPostmasterOf(pid, ClusterFolder))
        {
            _logger.LogWarning("Stopping an orphaned PostgreSQL (pid {Pid}) left by an earlier run", pid);
            var stop = await PgCtlAsync(["stop", "-D", ClusterFolder, "-m", "fast", "-w", "-t", "60"], cancellationToken);
            if (!stop.Succeeded)
            {
                throw new StartupException(string.Create(CultureInfo.InvariantCulture, $"an earlier PostgreSQL (pid {pid}) still runs on {ClusterFolder} and did not stop: {stop.LastLine}"));
            }

            return;
        }

        _logger.LogWarning("Removing a stale postmaster.pid left by a crash");
        File.Delete(pidFile);
    }

    private static bool IsPostmasterOf(int pid, string clusterFolder)
    {
        try
        {
            var cmdline = File.ReadAllText(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cmdline")).Split('\0');
            return cmdline.Length > 0 && cmdline[0].EndsWith("postgres", StringComparison.Ordinal)
                && cmdline.Any(arg => string.Equals(Path.GetFullPath(arg, "/"), clusterFolder, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.AddWithValue(DatabaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private Task<ProcessResult> PgCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(_binaries.Tool("pg_ctl"), arguments, _runAs, TimeSpan.FromSeconds(90), cancellationToken);

    private async Task ChownAsync(string path, CancellationToken cancellationToken)
    {
        var result = await ProcessRunner.RunAsync("chown", ["-R", _runAs + ":", path], cancellationToken: cancellationToken);
        if (!result.Succeeded)
        {
            throw new StartupException($"cannot hand {path} to user '{_runAs}': {result.LastLine}");
        }
    }

    private async Task EnsureReachableByRunAsUserAsync(string path, CancellationToken cancellationToken)
    {
        var probe = await ProcessRunner.RunAsync("test", ["-w", path], _runAs, cancellationToken: cancellationToken);
        if (!probe.Succeeded)
        {
            throw new StartupException($"PostgreSQL runs as user '{_runAs}', who cannot reach {path} (a parent folder is not searchable by others): set TRACEMARK_DATA to a folder it can reach, e.g. /var/lib/tracemark, or chmod o+x the parent folders");
        }
    }

    private static string? LastLogLine(string log)
    {
        try
        {
            return File.Exists(log)
                ? File.ReadLines(log).Where(l => l.Contains("FATAL", StringComparison.Ordinal) || l.Contains("ERROR", StringComparison.Ordinal)).LastOrDefault()
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record EmbeddedPostgresOptions(string? BinDirectory = null, string? RunAsUser = null);
