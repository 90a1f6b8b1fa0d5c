using Npgsql;
using Tracemark.Server.Platform.Database;

namespace Tracemark.Cli.Tests;

public sealed class MigrateCommandTests
{
    [Fact]
    public async Task Two_concurrent_migrate_commands_apply_every_migration_exactly_once()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateEmptyDatabaseAsync("cli_migrate");

        var results = await Task.WhenAll(
            CliProcess.RunAsync(["migrate", "--database", database]),
            CliProcess.RunAsync(["migrate", "--database", database]));

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Error));
        Assert.Single(results, r => r.Output.Contains($"Applied {Migrator.Embedded.Count} migration(s).", StringComparison.Ordinal));
        Assert.Single(results, r => r.Output.Contains("The database is up to date.", StringComparison.Ordinal));

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
        Assert.Equal((long)Migrator.Embedded.Count, await count.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Status_lists_pending_migrations_and_exits_3_until_migrated()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateEmptyDatabaseAsync("cli_status");

        var before = await CliProcess.RunAsync(["migrate", "--status", "--database", database]);
        Assert.Equal(3, before.ExitCode);
        Assert.Contains("pending  0001_foundation", before.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await CliProcess.RunAsync(["migrate", "--database", database])).ExitCode);
        var after = await CliProcess.RunAsync(["migrate", "--status", "--database", database]);
        Assert.Equal(0, after.ExitCode);
        Assert.Contains("applied  0001_foundation", after.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("pending", after.Output, StringComparison.Ordinal);
    }
}
