using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tracemark.Server.Platform.Database;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Tests.Platform;

public sealed class MigratorTests
{
    private static readonly Migration[] Sample =
    [
        Migrator.Parse("0001_first.sql", "CREATE TABLE first_table (id int PRIMARY KEY);"),
        Migrator.Parse("0002_second.sql", "CREATE TABLE second_table (id int REFERENCES first_table (id));"),
        Migrator.Parse("0010_tenth.sql", "INSERT INTO first_table VALUES (1); INSERT INTO second_table VALUES (1);"),
    ];

    [Fact]
    public async Task Applies_in_version_order_and_records_version_and_checksum()
    {
        var database = await EmptyDatabaseAsync();

        // Given out of order on purpose: 0002 depends on 0001 and 0010 on both.
        var applied = await new Migrator(database, NullLogger.Instance, [Sample[2], Sample[0], Sample[1]]).MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 10], applied.Select(m => m.Version));
        var recorded = await QueryAsync(database, "SELECT version || ':' || checksum FROM schema_migrations ORDER BY version");
        Assert.Equal(Sample.Select(m => $"{m.Version}:{m.Checksum}"), recorded);
        Assert.Empty(await new Migrator(database, NullLogger.Instance, Sample).MigrateAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Applies_only_what_is_pending()
    {
        var database = await EmptyDatabaseAsync();
        await new Migrator(database, NullLogger.Instance, Sample[..2]).MigrateAsync(TestContext.Current.CancellationToken);

        var status = await new Migrator(database, NullLogger.Instance, Sample).InspectAsync(TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], status.Applied.Select(m => m.Version));
        Assert.Equal([10], status.Pending.Select(m => m.Version));

        var applied = await new Migrator(database, NullLogger.Instance, Sample).MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Equal([10], applied.Select(m => m.Version));
    }

    [Fact]
    public async Task An_edited_applied_migration_stops_with_a_clear_message()
    {
        var database = await EmptyDatabaseAsync();
        await new Migrator(database, NullLogger.Instance, Sample).MigrateAsync(TestContext.Current.CancellationToken);
        Migration[] edited = [Sample[0], Migrator.Parse("0002_second.sql", "CREATE TABLE second_table (id bigint);"), Sample[2]];

        var error = await Assert.ThrowsAsync<StartupException>(() => new Migrator(database, NullLogger.Instance, edited).MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Contains("0002_second.sql was edited after it was applied", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StartupException>(() => new Migrator(database, NullLogger.Instance, edited).InspectAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Line_endings_alone_do_not_count_as_an_edit()
    {
        var database = await EmptyDatabaseAsync();
        await new Migrator(database, NullLogger.Instance, [Migrator.Parse("0001_a.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")]).MigrateAsync(TestContext.Current.CancellationToken);
        var status = await new Migrator(database, NullLogger.Instance, [Migrator.Parse("0001_a.sql", "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n")]).InspectAsync(TestContext.Current.CancellationToken);
        Assert.Single(status.Applied);
    }

    [Fact]
    public async Task A_database_newer_than_the_app_stops_with_a_clear_message()
    {
        var database = await EmptyDatabaseAsync();
        await new Migrator(database, NullLogger.Instance, Sample).MigrateAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<StartupException>(() => new Migrator(database, NullLogger.Instance, Sample[..2]).MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Contains("newer than the app", error.Message, StringComparison.Ordinal);
        Assert.Contains("0010_tenth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_whole_and_earlier_ones_stay()
    {
        var database = await EmptyDatabaseAsync();
        Migration[] migrations =
        [
            Sample[0],
            Migrator.Parse("0002_half.sql", "CREATE TABLE half_made (id int); INSERT INTO no_such_table VALUES (1);"),
        ];

        var error = await Assert.ThrowsAsync<StartupException>(() => new Migrator(database, NullLogger.Instance, migrations).MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Contains("0002_half failed and was rolled back", error.Message, StringComparison.Ordinal);
        Assert.Equal(["1"], await QueryAsync(database, "SELECT version::text FROM schema_migrations"));
        Assert.Equal(["f"], await QueryAsync(database, "SELECT (to_regclass('half_made') IS NOT NULL)::text::char"));
    }

    [Fact]
    public async Task Concurrent_migrators_wait_for_each_other_and_apply_each_migration_once()
    {
        var database = await EmptyDatabaseAsync();

        // pg_sleep makes the first migrator hold the lock long enough for the others to queue behind it.
        Migration[] slow = [Migrator.Parse("0001_slow.sql", "SELECT pg_sleep(0.5); CREATE TABLE once_only (id int);"), Migrator.Parse("0002_after.sql", "CREATE TABLE after_slow (id int);")];
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() => new Migrator(database, NullLogger.Instance, slow).MigrateAsync(TestContext.Current.CancellationToken))).ToArray();
        var results = await Task.WhenAll(runs);

        // The first to take the lock applies both; the others find nothing pending (and no "already exists" error).
        Assert.Single(results, r => r.Count == 2);
        Assert.All(results.Where(r => r.Count != 2), Assert.Empty);
        Assert.Equal(["2"], await QueryAsync(database, "SELECT count(*)::text FROM schema_migrations"));
    }

    [Fact]
    public async Task The_embedded_migrations_apply_to_an_empty_database()
    {
        var database = await EmptyDatabaseAsync();
        var applied = await new Migrator(database, NullLogger.Instance).MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Migrator.Embedded.Count, applied.Count);
        Assert.Equal(Migrator.Embedded.Select(m => m.Version).Order(), applied.Select(m => m.Version));
    }

    [Fact]
    public void Two_migrations_with_one_version_are_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Migrator("Host=unused", NullLogger.Instance, [Sample[0], Migrator.Parse("0001_other.sql", "SELECT 1")]));
        Assert.Contains("share version 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0001_foundation.sql", 1, "foundation")]
    [InlineData("0042_rights_registry.sql", 42, "rights_registry")]
    public void Migration_files_are_named_version_underscore_name(string file, int version, string name)
    {
        var migration = Migrator.Parse(file, "SELECT 1");
        Assert.Equal(version, migration.Version);
        Assert.Equal(name, migration.Name);
    }

    [Theory]
    [InlineData("foundation.sql")]
    [InlineData("v1_foundation.sql")]
    [InlineData("_foundation.sql")]
    public void Badly_named_migration_files_are_refused(string file) =>
        Assert.Throws<InvalidOperationException>(() => Migrator.Parse(file, "SELECT 1"));

    private static async Task<string> EmptyDatabaseAsync() =>
        await (await TestPostgres.SharedAsync()).CreateEmptyDatabaseAsync("migrator");

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
