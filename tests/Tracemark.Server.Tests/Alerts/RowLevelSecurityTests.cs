using Dapper;
using Npgsql;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Alerts;

/// <summary>
/// Row-level security checked in SQL, as the application's database role, with no WHERE clause at all:
/// the guarantee must hold for a query that forgets to filter.
/// </summary>
public sealed class RowLevelSecurityTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>, IAsyncLifetime
{
    private Guid _a;
    private Guid _b;
    private Guid _abroad;

    public async ValueTask InitializeAsync()
    {
        await factory.ResetAsync();
        _a = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        _b = await Seed.OrganisationAsync(factory, OrganisationKind.Police);
        _abroad = await Seed.OrganisationAsync(factory, OrganisationKind.ForeignPartner, onPartnerNode: true);
        await using var owner = await factory.OpenOwnerConnectionAsync();
        foreach (var level in new[] { "organisation", "node", "partners", "public" })
        {
            await owner.ExecuteAsync(
                """
                INSERT INTO alerts (id, owner_org_id, origin_node_id, distribution, title, body, severity, created_at, updated_at)
                VALUES (@id, @a, (SELECT id FROM nodes WHERE is_local), @level, @level, 'b', 'low', now(), now())
                """,
                new { id = Guid.CreateVersion7(), a = _a, level });
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_query_without_a_filter_sees_only_what_the_organisation_may_see()
    {
        Assert.Equal(["node", "organisation", "partners", "public"], await TitlesAsAsync(_a, local: true));
        Assert.Equal(["node", "partners", "public"], await TitlesAsAsync(_b, local: true));
        Assert.Equal(["partners", "public"], await TitlesAsAsync(_abroad, local: false));
        Assert.Equal(["public"], await TitlesAsAsync(null, local: false));
    }

    [Fact]
    public async Task Another_organisation_can_neither_update_nor_insert_in_the_owners_name()
    {
        await using var connection = await AppRoleAsync(_b, local: true);
        var updated = await connection.ExecuteAsync("UPDATE alerts SET title = 'hijacked'");
        Assert.Equal(0, updated);
        var insert = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO alerts (id, owner_org_id, origin_node_id, distribution, title, body, severity, created_at, updated_at) VALUES (@id, @a, (SELECT id FROM nodes WHERE is_local), 'public', 't', 'b', 'low', now(), now())",
            new { id = Guid.CreateVersion7(), a = _a }));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
    }

    [Fact]
    public async Task The_owner_cannot_narrow_in_SQL_either()
    {
        await using var connection = await AppRoleAsync(_a, local: true);
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE alerts SET distribution = 'organisation' WHERE title = 'public'"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
    }

    [Fact]
    public async Task The_audit_trail_is_append_only_for_the_application_role_and_for_the_owner()
    {
        await using (var connection = await AppRoleAsync(_a, local: true))
        {
            Assert.Equal(1, await connection.ExecuteAsync("INSERT INTO audit_events (organisation_id, action, record_type) VALUES (@a, 'test', 'test')", new { a = _a }));
            await connection.ExecuteAsync("COMMIT");
        }

        // Each refused statement in a transaction of its own: the first error would abort the rest.
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync("INSERT INTO audit_events (organisation_id, action, record_type) VALUES (@b, 'forged', 'test')"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync("UPDATE audit_events SET action = 'rewritten'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync("DELETE FROM audit_events"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync("TRUNCATE audit_events"));

        await using var owner = await factory.OpenOwnerConnectionAsync();
        var ownerDelete = await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteAsync("DELETE FROM audit_events"));
        Assert.Contains("append-only", ownerDelete.MessageText, StringComparison.Ordinal);
        Assert.True(await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'test'") >= 1);
    }

    private async Task<string> RefusedAsync(string sql)
    {
        await using var connection = await AppRoleAsync(_a, local: true);
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql, new { b = _b }));
        return error.SqlState;
    }

    private async Task<List<string>> TitlesAsAsync(Guid? organisation, bool local)
    {
        await using var connection = await AppRoleAsync(organisation, local);
        return (await connection.QueryAsync<string>("SELECT title FROM alerts ORDER BY title")).ToList();
    }

    /// <summary>A connection in a transaction as tracemark_app with the settings the server sets for a caller.</summary>
    private async Task<NpgsqlConnection> AppRoleAsync(Guid? organisation, bool local)
    {
        var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync("BEGIN TRANSACTION");
        await connection.ExecuteAsync(
            "SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @org, true), set_config('tracemark.org_local', @local, true)",
            new { org = organisation?.ToString() ?? "", local = local ? "on" : "off" });
        Assert.Equal("tracemark_app", await connection.ExecuteScalarAsync<string>("SELECT current_user"));
        return connection;
    }
}
