using Dapper;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Platform;

/// <summary>Rules written twice (once in Core for messages, once in SQL for enforcement) must agree.</summary>
public sealed class SqlMirrorsCoreTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    [Fact]
    public async Task The_database_and_Core_agree_on_which_organisations_enforce_the_law()
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        foreach (var kind in OrganisationKinds.All)
        {
            await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await connection.ExecuteAsync("SELECT set_config('tracemark.org_kind', @kind, true)", new { kind = kind.ToWire() }, transaction);
            var enforcement = await connection.ExecuteScalarAsync<bool>("SELECT tm_org_is_enforcement()", transaction: transaction);
            Assert.True(enforcement == kind.IsEnforcement(), $"{kind.ToWire()}: SQL says {enforcement}");
        }
    }

    [Theory]
    [InlineData("organisation", "node", false)]
    [InlineData("organisation", "public", false)]
    [InlineData("node", "organisation", true)]
    [InlineData("node", "partners", false)]
    [InlineData("partners", "node", true)]
    [InlineData("public", "partners", true)]
    [InlineData("group", "partners", false)]
    [InlineData("group", "organisation", true)]
    [InlineData("node", "group", true)]
    public async Task The_narrowing_guard_agrees_with_Core(string from, string to, bool narrows)
    {
        var group = Guid.NewGuid();
        var core = Core.Sharing.Distributions.CheckChange(
            Core.Sharing.Distributions.Parse(from), from == "group" ? group : null,
            Core.Sharing.Distributions.Parse(to), to == "group" ? group : null,
            groupMembersAllOnThisNode: true) == Core.Sharing.DistributionChange.Narrows;
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var sql = await connection.ExecuteScalarAsync<bool>(
            "SELECT tm_distribution_narrows(@from, @fromGroup, @to, @toGroup)",
            new { from, fromGroup = from == "group" ? group : (Guid?)null, to, toGroup = to == "group" ? group : (Guid?)null });
        Assert.Equal(narrows, core);
        Assert.Equal(narrows, sql);
    }
}
