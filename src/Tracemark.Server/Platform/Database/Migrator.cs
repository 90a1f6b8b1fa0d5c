using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Database;

/// <summary>One versioned SQL file embedded in the server: <c>NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the file with line endings normalised, so a checkout on Windows does not look edited.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public string Label => $"{Version.ToString("D4", CultureInfo.InvariantCulture)}_{Name}";
}

public sealed record MigrationStatus(IReadOnlyList<Migration> Applied, IReadOnlyList<Migration> Pending);

/// <summary>
/// Applies the embedded SQL migrations in version order, each in its own transaction, under a
/// PostgreSQL advisory lock so that concurrent starts and <c>tracemark migrate</c> commands queue.
/// </summary>
public sealed class Migrator
{
    private const string ResourcePrefix = "Tracemark.Migrations.";

    // Arbitrary but fixed: every Tracemark process on a database must use the same key.
    private const long AdvisoryLockKey = 0x54524d4b_4d494752; // "TRMKMIGR"

    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<Migration> _migrations;

    public Migrator(string connectionString, ILogger logger, IReadOnlyList<Migration>? migrations = null)
    {
        _connectionString = connectionString;
        _logger = logger;
        _migrations = migrations is null ? Embedded : Validated(migrations);
    }

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    public static Migration Parse(string fileName, string sql)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var underscore = stem.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0 || !int.TryParse(stem.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new InvalidOperationException($"Migration file '{fileName}' must be named NNNN_name.sql.");
        }

        return new Migration(version, stem[(underscore + 1)..], sql);
    }

    /// <summary>Applies what is pending; returns the migrations applied by this call.</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection))
        {
            lockCommand.Parameters.AddWithValue(AdvisoryLockKey);
            lockCommand.CommandTimeout = 0; // wait for as long as the other migrator takes
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """,
                connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var status = await InspectAsync(connection, cancellationToken);
            foreach (var migration in status.Pending)
            {
                _logger.LogInformation("Applying migration {Migration}", migration.Label);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction))
                    {
                        apply.CommandTimeout = 0;
                        await apply.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
                    {
                        record.Parameters.AddWithValue(migration.Version);
                        record.Parameters.AddWithValue(migration.Name);
                        record.Parameters.AddWithValue(migration.Checksum);
                        await record.ExecuteNonQueryAsync(cancellationToken);
                    }

                    await transaction.CommitAsync(cancellationToken);
                }
                catch (PostgresException ex)
                {
                    throw new StartupException(string.Create(CultureInfo.InvariantCulture, $"migration {migration.Label} failed and was rolled back: {ex.MessageText} (line {LineOf(migration.Sql, ex.Position)})"), ex);
                }
            }

            return status.Pending;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            unlock.Parameters.AddWithValue(AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>What is applied and pending; throws when the database and this build disagree.</summary>
    public async Task<MigrationStatus> InspectAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await InspectAsync(connection, cancellationToken);
    }

    private async Task<MigrationStatus> InspectAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, (string Name, string Checksum)>();
        await using (var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection))
        {
            if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                await using var read = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", connection);
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
                }
            }
        }

        var known = _migrations.ToDictionary(m => m.Version);
        var unknown = applied.Keys.Where(v => !known.ContainsKey(v)).Order().ToList();
        if (unknown.Count > 0)
        {
            var newest = unknown[^1];
            throw new StartupException(string.Create(
                CultureInfo.InvariantCulture,
                $"the database has migration {newest:D4}_{applied[newest].Name}, which this Tracemark does not know (it knows up to {_migrations.Max(m => m.Version):D4}): the database is newer than the app; run the newer Tracemark that migrated it"));
        }

        foreach (var (version, (_, checksum)) in applied)
        {
            var migration = known[version];
            if (!string.Equals(migration.Checksum, checksum, StringComparison.Ordinal))
            {
                throw new StartupException($"migration {migration.Label}.sql was edited after it was applied to this database (checksum differs): restore the original file and put changes in a new migration");
            }
        }

        return new MigrationStatus(
            _migrations.Where(m => applied.ContainsKey(m.Version)).OrderBy(m => m.Version).ToList(),
            _migrations.Where(m => !applied.ContainsKey(m.Version)).OrderBy(m => m.Version).ToList());
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw DatabaseErrors.Unreachable(_connectionString, ex);
        }
    }

    private static int LineOf(string sql, int position) =>
        position <= 0 ? 0 : sql.AsSpan(0, Math.Min(position, sql.Length)).Count('\n') + 1;

    private static List<Migration> LoadEmbedded()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(Parse(resource[ResourcePrefix.Length..], reader.ReadToEnd()));
        }

        return Validated(migrations);
    }

    private static List<Migration> Validated(IEnumerable<Migration> migrations)
    {
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        var duplicate = ordered.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Label))}."));
        }

        return ordered;
    }
}

internal static class DatabaseErrors
{
    public static StartupException Unreachable(string connectionString, Exception ex)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var reason = ex is PostgresException pg ? pg.MessageText : ex.InnerException?.Message ?? ex.Message;
        return new StartupException($"cannot reach the database {builder.Database} at {builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)} as {builder.Username}: {reason}; check TRACEMARK_DATABASE / ConnectionStrings__Tracemark, or unset it to use the embedded default", ex);
    }
}
