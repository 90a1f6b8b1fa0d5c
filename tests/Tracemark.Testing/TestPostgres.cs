using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tracemark.Server.Platform.Database;

namespace Tracemark.Testing;

/// <summary>
/// The PostgreSQL server a test assembly uses: the one named by TRACEMARK_TEST_DATABASE (a connection
/// string whose user may create databases), or else a private cluster started with the product's own
/// embedded launcher in a temporary folder. Never a fake: if PostgreSQL cannot be had, tests fail.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestPostgres? _shared;
    private readonly EmbeddedPostgres? _embedded;
    private readonly SemaphoreSlim _templateGate = new(1, 1);
    private string? _template;

    private TestPostgres(string adminConnectionString, EmbeddedPostgres? embedded)
    {
        AdminConnectionString = adminConnectionString;
        _embedded = embedded;
    }

    /// <summary>A superuser connection to the maintenance database.</summary>
    public string AdminConnectionString { get; }

    public static async Task<TestPostgres> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is not null)
            {
                return _shared;
            }

            var configured = Environment.GetEnvironmentVariable("TRACEMARK_TEST_DATABASE");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                _shared = new TestPostgres(new NpgsqlConnectionStringBuilder(configured) { Database = "postgres", Pooling = false }.ConnectionString, null);
            }
            else
            {
                var folder = Path.Combine(Path.GetTempPath(), "tracemark-tests", FolderKey());
                var embedded = await EmbeddedPostgres.StartAsync(folder, new EmbeddedPostgresOptions(), NullLogger.Instance);
                _shared = new TestPostgres(new NpgsqlConnectionStringBuilder(embedded.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString, embedded);
            }

            return _shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops the shared cluster, if this process started one (called by the assembly fixture).</summary>
    public static async Task StopSharedAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync();
            _shared = null;
        }
    }

    /// <summary>
    /// A new, fully migrated database of its own. Copies a template migrated once per set of
    /// migrations, which is far faster than migrating every time.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var template = await TemplateAsync();
        var name = "t_" + Sanitise(purpose) + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        return ConnectionStringFor(name);
    }

    /// <summary>A new database with nothing in it, not even the migrations (for migration tests).</summary>
    public async Task<string> CreateEmptyDatabaseAsync(string purpose)
    {
        var name = "e_" + Sanitise(purpose) + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        await ExecuteAsync($"CREATE DATABASE {name}");
        return ConnectionStringFor(name);
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>Empties a database by replacing it with a fresh copy of the template under the same name.</summary>
    public async Task RecreateDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var template = await TemplateAsync();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await ExecuteAsync($"CREATE DATABASE {name} TEMPLATE {template}");

        // Pooled connections to the old database were terminated; none may be handed out again.
        NpgsqlConnection.ClearAllPools();
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    private string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database, Pooling = true }.ConnectionString;

    private async Task<string> TemplateAsync()
    {
        await _templateGate.WaitAsync();
        try
        {
            if (_template is not null)
            {
                return _template;
            }

            // Named after the migrations' checksums: a changed migration gets a fresh template.
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(",", Migrator.Embedded.Select(m => m.Checksum)))))[..16];
            var name = "tm_template_" + key;
            await using (var connection = new NpgsqlConnection(AdminConnectionString))
            {
                await connection.OpenAsync();
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
                exists.Parameters.AddWithValue(name);
                if (await exists.ExecuteScalarAsync() is null)
                {
                    var building = name + "_building_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
                    await ExecuteAsync($"CREATE DATABASE {building}");
                    var target = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = building, Pooling = false }.ConnectionString;
                    await new Migrator(target, NullLogger.Instance).MigrateAsync();
                    try
                    {
                        await ExecuteAsync($"ALTER DATABASE {building} RENAME TO {name}");
                    }
                    catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
                    {
                        // Another test process built the same template first.
                        await ExecuteAsync($"DROP DATABASE {building}");
                    }
                }
            }

            _template = name;
            return name;
        }
        finally
        {
            _templateGate.Release();
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Sanitise(string purpose)
    {
        var builder = new StringBuilder();
        foreach (var c in purpose.ToLowerInvariant())
        {
            builder.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_');
        }

        return builder.Length > 40 ? builder.ToString(0, 40) : builder.ToString();
    }

    /// <summary>One folder per checkout and test assembly, so parallel runs never share a cluster.</summary>
    private static string FolderKey()
    {
        var assembly = Path.GetFileName(AppContext.BaseDirectory.TrimEnd('/'));
        var origin = AppContext.BaseDirectory + "|" + System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(origin)))[..12] + "-" + assembly;
    }
}
