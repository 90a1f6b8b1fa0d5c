using System.Text.Json;
using Dapper;
using Npgsql;
using Tracemark.Server.Accounts;

namespace Tracemark.Cli.Tests;

/// <summary>`tracemark import rights FILE` as a user runs it: acts as an API key's organisation, reports per row, exits non-zero on invalid rows.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private const string Header = "type,jurisdiction,number,name,name_zh,classes,filed,registered,expires,status";
    private readonly string _folder = Directory.CreateTempSubdirectory("tracemark-import-cli-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Imports_as_the_keys_organisation_and_a_second_run_writes_nothing()
    {
        var (database, key, holder) = await HolderWithKeyAsync();
        var file = Path.Combine(_folder, "rights.csv");
        await File.WriteAllTextAsync(file, $"{Header}\ntrademark,CN,77000001,Cliffmark,崖标,25,2019-01-01,2020-01-01,2030-01-01,registered\npatent,EP,EP7700002,Cliff hinge,,,2021-01-01,,,pending\n", _ct);

        var dry = await CliProcess.RunAsync(["import", "rights", file, "--dry-run", "--database", database, "--api-key", key]);
        Assert.True(dry.ExitCode == 0, dry.Error + dry.Output);
        Assert.Contains("dry run", dry.Output, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(database, holder));

        var report = Path.Combine(_folder, "report.json");
        var first = await CliProcess.RunAsync(["import", "rights", file, "--database", database, "--report", report], new Dictionary<string, string?> { ["TRACEMARK_API_KEY"] = key });
        Assert.True(first.ExitCode == 0, first.Error + first.Output);
        Assert.Equal(2, await CountAsync(database, holder));
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, _ct)))
        {
            Assert.Equal(2, json.RootElement.GetProperty("written").GetInt32());
        }

        var second = await CliProcess.RunAsync(["import", "rights", file, "--database", database, "--api-key", key, "--report", report]);
        Assert.Equal(0, second.ExitCode);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(report, _ct)))
        {
            Assert.Equal(0, json.RootElement.GetProperty("written").GetInt32());
            Assert.Equal(2, json.RootElement.GetProperty("unchanged").GetInt32());
        }

        await using var connection = new NpgsqlConnection(database);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'right.import' AND api_key_id IS NOT NULL"));
    }

    [Fact]
    public async Task Invalid_rows_are_reported_in_the_chosen_language_with_their_line_and_nothing_is_written()
    {
        var (database, key, holder) = await HolderWithKeyAsync();
        var file = Path.Combine(_folder, "bad.csv");
        await File.WriteAllTextAsync(file, $"{Header}\ntrademark,CN,77100001,Fine,,25,,,,registered\ntrademark,CN,77100002,Bad,,47,,,,registered\n", _ct);

        var result = await CliProcess.RunAsync(["import", "rights", file, "--database", database, "--api-key", key, "--language", "zh-CN"]);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("47 不是尼斯分类类别", result.Output, StringComparison.Ordinal);
        Assert.Contains("classes[0]", result.Output, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(database, holder));
    }

    [Fact]
    public async Task A_bad_key_or_a_spreadsheet_is_one_clear_line_on_stderr()
    {
        var (database, key, _) = await HolderWithKeyAsync();
        var file = Path.Combine(_folder, "book.csv");
        await File.WriteAllBytesAsync(file, [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0], _ct);

        var noKey = await CliProcess.RunAsync(["import", "rights", file, "--database", database]);
        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("--api-key", noKey.Error, StringComparison.Ordinal);

        var badKey = await CliProcess.RunAsync(["import", "rights", file, "--database", database, "--api-key", "tmk_notakey"]);
        Assert.Equal(1, badKey.ExitCode);
        Assert.Contains("auth.api_key_invalid", badKey.Error, StringComparison.Ordinal);

        var spreadsheet = await CliProcess.RunAsync(["import", "rights", file, "--database", database, "--api-key", key]);
        Assert.Equal(1, spreadsheet.ExitCode);
        Assert.Contains("CSV UTF-8", spreadsheet.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(string Database, string Key, Guid Holder)> HolderWithKeyAsync()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync("cli_import");
        var holder = Guid.CreateVersion7();
        var (prefix, secret, key) = ApiKeyFormat.Generate();
        await using var connection = new NpgsqlConnection(database);
        await connection.ExecuteAsync(
            """
            INSERT INTO organisations (id, node_id, kind, name_en, name_zh, country) VALUES (@holder, (SELECT id FROM nodes WHERE is_local), 'rights_holder', @name, '命令行权利人', 'CN');
            INSERT INTO api_keys (id, organisation_id, name, prefix, secret_hash, scopes, expires_at) VALUES (@keyId, @holder, 'cli', @prefix, @hash, ARRAY['read', 'write'], now() + interval '1 day');
            """,
            new { holder, name = "CLI holder " + holder.ToString("N"), keyId = Guid.CreateVersion7(), prefix, hash = ApiKeyFormat.Hash(secret) });
        return (database, key, holder);
    }

    private static async Task<long> CountAsync(string database, Guid holder)
    {
        await using var connection = new NpgsqlConnection(database);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM rights WHERE owner_org_id = @holder", new { holder });
    }
}
