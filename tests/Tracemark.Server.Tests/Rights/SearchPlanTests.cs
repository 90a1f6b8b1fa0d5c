using Dapper;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Rights;

/// <summary>
/// Name search stays an index search under row-level security: PostgreSQL uses an index for a condition only
/// when its operator is LEAKPROOF, which the migration marks pg_trgm's word-similarity operators.
/// Without it every search reads every right (seconds at a million rights).
/// </summary>
public sealed class SearchPlanTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    [Theory]
    [InlineData("'northwnd' <% r.search_names")]
    [InlineData("('northwnd' <% r.search_names OR r.number_key = '31874652')")]
    public async Task A_fuzzy_name_search_as_the_application_uses_the_trigram_index(string condition)
    {
        var customs = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync(
            """
            SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @customs, true), set_config('tracemark.org_local', 'on', true),
                   set_config('enable_seqscan', 'off', true)
            """,
            new { customs = customs.ToString() },
            transaction);

        var plan = string.Join("\n", await connection.QueryAsync<string>($"EXPLAIN SELECT r.id FROM rights r WHERE {condition}", transaction: transaction));

        Assert.Contains("Bitmap Index Scan on rights_names", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on rights", plan, StringComparison.Ordinal);
    }
}
