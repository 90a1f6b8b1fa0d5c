using Dapper;
using Npgsql;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Evidence;

/// <summary>
/// Who sees evidence, checked in SQL as the application's role with no WHERE clause: the rule of migration 0060 must
/// hold for a query that forgets to filter, and writes in another organisation's name must fail in the database.
/// </summary>
public sealed class EvidenceRowLevelSecurityTests(EvidenceFactory factory) : IClassFixture<EvidenceFactory>, IAsyncLifetime
{
    private Guid _customs;
    private Guid _police;
    private Guid _regulator;
    private Guid _abroad;

    public async ValueTask InitializeAsync()
    {
        await factory.ResetAsync();
        _customs = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        _police = await Seed.OrganisationAsync(factory, OrganisationKind.Police);
        _regulator = await Seed.OrganisationAsync(factory, OrganisationKind.MarketRegulator);
        _abroad = await Seed.OrganisationAsync(factory, OrganisationKind.ForeignPartner, onPartnerNode: true);
        await using var owner = await factory.OpenOwnerConnectionAsync();
        await owner.ExecuteAsync("INSERT INTO blobs (sha256, size, media_type) VALUES (@sha, 10, 'image/png')", new { sha = Sha });
        var leaf = 0L;
        foreach (var (name, level) in new[] { ("own", "organisation"), ("node", "node"), ("partners", "partners"), ("public", "public") })
        {
            var alert = await EvidenceWorld.AlertAsync(factory, _customs, level);
            await InsertAsync(owner, name, "alert", alert, leaf++);
        }

        var plain = await InsertAsync(owner, "disclosed", null, null, leaf++);
        await owner.ExecuteAsync(
            """
            INSERT INTO custody_events (id, evidence_id, leaf_index, leaf_hash, kind, occurred_at, organisation_id, actor, counterparty_org_id, recorded_at)
            VALUES (@id, @plain, @leaf, @hash, 'disclosed', now(), @customs, @actor, @police, now())
            """,
            new { id = Guid.CreateVersion7(), plain, leaf, hash = new byte[32], customs = _customs, actor = "user:" + Guid.CreateVersion7(), police = _police });
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string Sha => new('c', 64);

    [Fact]
    public async Task A_query_without_a_filter_sees_exactly_the_evidence_the_rule_allows()
    {
        Assert.Equal(["disclosed", "node", "own", "partners", "public"], await NamesAsAsync(_customs, local: true));
        Assert.Equal(["disclosed", "node", "partners", "public"], await NamesAsAsync(_police, local: true));
        Assert.Equal(["node", "partners", "public"], await NamesAsAsync(_regulator, local: true));
        Assert.Equal(["partners", "public"], await NamesAsAsync(_abroad, local: false));

        // Nobody who is not signed in, even for evidence of a public record.
        Assert.Empty(await NamesAsAsync(null, local: false));
    }

    [Fact]
    public async Task Custody_events_are_seen_with_their_evidence_and_the_handed_to_organisation_sees_it_after_a_transfer()
    {
        // The police see the collection of the four pieces they may see and the disclosure to them; the
        // regulator the collection of the three that follow shared alerts; neither the customs-only piece's.
        await using (var police = await AppRoleAsync(_police, local: true))
        {
            Assert.Equal(5, await police.ExecuteScalarAsync<long>("SELECT count(*) FROM custody_events"));
        }

        await using (var regulator = await AppRoleAsync(_regulator, local: true))
        {
            Assert.Equal(3, await regulator.ExecuteScalarAsync<long>("SELECT count(*) FROM custody_events"));
        }

        // The custodian transfers the evidence of its own alert; the new holder sees it, and the collector still does.
        await using (var customs = await AppRoleAsync(_customs, local: true))
        {
            Assert.Equal(1, await customs.ExecuteAsync("UPDATE evidence_items SET custodian_org_id = @regulator WHERE collected_by = 'own'", new { regulator = _regulator }));
            await customs.ExecuteAsync("COMMIT");
        }

        Assert.Contains("own", await NamesAsAsync(_regulator, local: true));
        Assert.Contains("own", await NamesAsAsync(_customs, local: true));
        Assert.DoesNotContain("own", await NamesAsAsync(_police, local: true));
    }

    [Fact]
    public async Task Only_the_custodian_changes_custody_and_nobody_changes_the_description()
    {
        await using (var police = await AppRoleAsync(_police, local: true))
        {
            Assert.Equal(0, await police.ExecuteAsync("UPDATE evidence_items SET custodian_org_id = @police", new { police = _police }));
        }

        Assert.Equal(PostgresErrorCodes.CheckViolation, await RefusedAsync(_customs, "UPDATE evidence_items SET collected_by = 'someone else' WHERE collected_by = 'node'"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, await RefusedAsync(_customs, "UPDATE evidence_items SET sha256 = sha256, record_id = NULL, record_type = NULL WHERE collected_by = 'node'"));
    }

    [Fact]
    public async Task Nobody_uploads_in_another_organisations_name_or_to_a_record_it_may_not_see()
    {
        var policeAlert = await EvidenceWorld.AlertAsync(factory, _police, "organisation");
        const string Insert = """
            INSERT INTO evidence_items (id, sha256, owner_org_id, custodian_org_id, record_type, record_id, collected_by, collected_at, uploaded_by, created_at, updated_at)
            VALUES (gen_random_uuid(), @sha, @owner, @owner, @type, @record, 'x', now(), 'user:00000000-0000-7000-8000-000000000000', now(), now())
            """;

        await using (var customs = await AppRoleAsync(_customs, local: true))
        {
            Assert.Equal(1, await customs.ExecuteAsync(Insert, new { sha = Sha, owner = _customs, type = (string?)null, record = (Guid?)null }));
        }

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync(_customs, Insert, new { sha = Sha, owner = _police, type = (string?)null, record = (Guid?)null }));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync(_customs, Insert, new { sha = Sha, owner = _customs, type = "alert", record = policeAlert }));
        Assert.Equal(
            PostgresErrorCodes.InsufficientPrivilege,
            await RefusedAsync(_regulator, "INSERT INTO custody_events (id, evidence_id, leaf_index, leaf_hash, kind, occurred_at, organisation_id, actor, recorded_at) SELECT gen_random_uuid(), id, 99, @hash, 'viewed', now(), @customs, 'user:00000000-0000-7000-8000-000000000000', now() FROM evidence_items LIMIT 1", new { hash = new byte[32], customs = _customs }));
    }

    [Fact]
    public async Task The_chain_of_custody_and_the_tree_heads_are_append_only_even_for_the_owner()
    {
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync(_customs, "UPDATE custody_events SET note = 'rewritten'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync(_customs, "DELETE FROM custody_events"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, await RefusedAsync(_customs, "INSERT INTO tree_heads VALUES (1, @hash, 1, @hash, 'forged')", new { hash = new byte[32] }));

        await using var owner = await factory.OpenOwnerConnectionAsync();
        await owner.ExecuteAsync("INSERT INTO tree_heads VALUES (7, @hash, 1, @hash, 'test')", new { hash = new byte[32] });
        Assert.Contains("append-only", (await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteAsync("DELETE FROM custody_events"))).MessageText, StringComparison.Ordinal);
        Assert.Contains("append-only", (await Assert.ThrowsAsync<PostgresException>(() => owner.ExecuteAsync("UPDATE tree_heads SET signature = '\\x00'"))).MessageText, StringComparison.Ordinal);

        // Tree heads are public: anyone, signed in or not, reads them.
        await using var anonymous = await AppRoleAsync(null, local: false);
        Assert.Equal(1, await anonymous.ExecuteScalarAsync<long>("SELECT count(*) FROM tree_heads WHERE tree_size = 7"));
    }

    [Fact]
    public async Task An_unrecorded_leaf_is_seen_by_the_organisation_it_names_and_the_platform_administrator_only()
    {
        await using (var owner = await factory.OpenOwnerConnectionAsync())
        {
            await owner.ExecuteAsync(
                "INSERT INTO ledger_unrecorded_leaves VALUES (40, @hash, 'uploaded', now(), @sha, @customs, 'found_at_startup', now())",
                new { hash = new byte[32], sha = Sha, customs = _customs });
        }

        await using (var customs = await AppRoleAsync(_customs, local: true))
        {
            Assert.Equal(1, await customs.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_unrecorded_leaves"));
        }

        await using (var police = await AppRoleAsync(_police, local: true))
        {
            Assert.Equal(0, await police.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_unrecorded_leaves"));
        }

        await using var admin = await AppRoleAsync(_police, local: true, platformAdmin: true);
        Assert.Equal(1, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_unrecorded_leaves"));
    }

    private async Task<Guid> InsertAsync(NpgsqlConnection owner, string name, string? type, Guid? record, long leaf)
    {
        var id = Guid.CreateVersion7();
        await owner.ExecuteAsync(
            """
            INSERT INTO evidence_items (id, sha256, owner_org_id, custodian_org_id, record_type, record_id, collected_by, collected_at, uploaded_by, created_at, updated_at)
            VALUES (@id, @sha, @customs, @customs, @type, @record, @name, now(), 'user:00000000-0000-7000-8000-000000000000', now(), now());
            INSERT INTO custody_events (id, evidence_id, leaf_index, leaf_hash, kind, occurred_at, organisation_id, actor, recorded_at)
            VALUES (gen_random_uuid(), @id, @leaf + 100, @hash, 'collected', now(), @customs, 'user:00000000-0000-7000-8000-000000000000', now());
            """,
            new { id, sha = Sha, customs = _customs, type, record, name, leaf, hash = new byte[32] });
        return id;
    }

    private async Task<List<string>> NamesAsAsync(Guid? organisation, bool local)
    {
        await using var connection = await AppRoleAsync(organisation, local);
        return [.. await connection.QueryAsync<string>("SELECT collected_by FROM evidence_items ORDER BY collected_by")];
    }

    private async Task<string> RefusedAsync(Guid organisation, string sql, object? parameters = null)
    {
        await using var connection = await AppRoleAsync(organisation, local: true);
        return (await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql, parameters))).SqlState;
    }

    /// <summary>A connection in a transaction as tracemark_app with the settings the server sets for a caller.</summary>
    private async Task<NpgsqlConnection> AppRoleAsync(Guid? organisation, bool local, bool platformAdmin = false)
    {
        var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync("BEGIN TRANSACTION");
        await connection.ExecuteAsync(
            "SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @org, true), set_config('tracemark.org_local', @local, true), set_config('tracemark.platform_admin', @admin, true)",
            new { org = organisation?.ToString() ?? "", local = local ? "on" : "off", admin = platformAdmin ? "on" : "off" });
        Assert.Equal("tracemark_app", await connection.ExecuteScalarAsync<string>("SELECT current_user"));
        return connection;
    }
}
