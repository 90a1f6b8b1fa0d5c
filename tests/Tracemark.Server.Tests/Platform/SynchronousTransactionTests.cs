using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Tests.Platform;

/// <summary>
/// A synchronous transaction (the filing intake's writer thread) must behave as an awaited one does: the caller's
/// session, commit, rollback on dispose, and errors reported through the task, only done by the time each call returns.
/// </summary>
public sealed class SynchronousTransactionTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_statement_is_done_when_its_call_returns_and_runs_as_the_caller()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        await using var scope = factory.Services.CreateAsyncScope();
        await using var tx = await scope.ServiceProvider.GetRequiredService<Db>().BeginAsync(Caller(organisation), synchronous: true, _ct);
        Assert.True(tx.Synchronous);

        var user = tx.ExecuteScalarAsync<string>("SELECT current_user", cancellationToken: _ct);
        Assert.True(user.IsCompletedSuccessfully);
        Assert.Equal("tracemark_app", await user);
        var org = tx.QuerySingleAsync<Guid?>("SELECT tm_org()", cancellationToken: _ct);
        Assert.True(org.IsCompletedSuccessfully);
        Assert.Equal(organisation, await org);
        var rows = tx.QueryAsync<int>("SELECT * FROM generate_series(1, @n)", new { n = 3 }, _ct);
        Assert.True(rows.IsCompletedSuccessfully);
        Assert.Equal([1, 2, 3], await rows);
        var none = tx.QuerySingleOrDefaultAsync<int?>("SELECT 1 WHERE false", cancellationToken: _ct);
        Assert.True(none.IsCompletedSuccessfully);
        Assert.Null(await none);

        var grids = tx.QueryMultipleAsync("SELECT 1; SELECT 'two'", cancellationToken: _ct);
        Assert.True(grids.IsCompletedSuccessfully);
        await using (var parts = await grids)
        {
            Assert.Equal(1, (await parts.ReadAsync<int>()).Single());
            Assert.Equal("two", (await parts.ReadAsync<string>()).Single());
        }

        var audit = tx.AuditAsync("test.sync", "test", Guid.NewGuid().ToString(), cancellationToken: _ct);
        Assert.True(audit.IsCompletedSuccessfully);
        var commit = tx.CommitAsync(_ct);
        Assert.True(commit.IsCompletedSuccessfully);
        await commit;
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public async Task What_a_transaction_wrote_is_kept_with_its_commit_and_gone_when_it_is_disposed_without(bool synchronous, bool commit)
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var record = Guid.NewGuid().ToString();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await using var tx = await scope.ServiceProvider.GetRequiredService<Db>().BeginAsync(Caller(organisation), synchronous, _ct);
            await tx.AuditAsync("test.sync", "test", record, cancellationToken: _ct);
            await tx.AuditManyAsync("test.sync", "test", [(record, null, null, null)], _ct);
            await tx.ExecuteAsync("SELECT 1", cancellationToken: _ct);
            if (commit)
            {
                await tx.CommitAsync(_ct);
            }
        }

        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(commit ? 2L : 0L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE record_id = @record AND organisation_id = @organisation", new { record, organisation }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_failed_statement_faults_its_task_and_dooms_the_transaction_as_an_awaited_one_does(bool synchronous)
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        await using var scope = factory.Services.CreateAsyncScope();
        await using var tx = await scope.ServiceProvider.GetRequiredService<Db>().BeginAsync(Caller(organisation), synchronous, _ct);

        // The call itself does not throw: the error is the task's, as it is for an awaited call.
        var failing = tx.ExecuteScalarAsync<int>("SELECT 1 / 0", cancellationToken: _ct);
        Assert.Equal("22012", (await Assert.ThrowsAsync<PostgresException>(() => failing)).SqlState);
        var after = await Assert.ThrowsAsync<PostgresException>(() => tx.ExecuteAsync("SELECT 1", cancellationToken: _ct));
        Assert.Equal(PostgresErrorCodes.InFailedSqlTransaction, after.SqlState);

        var command = new NpgsqlCommand("SELECT 1 / 0", tx.Connection, tx.Transaction);
        await using (command)
        {
            await Assert.ThrowsAsync<PostgresException>(() => tx.ExecuteNonQueryAsync(command, _ct));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cancelled_statement_ends_its_task_cancelled(bool synchronous)
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        await using var scope = factory.Services.CreateAsyncScope();
        await using var tx = await scope.ServiceProvider.GetRequiredService<Db>().BeginAsync(Caller(organisation), synchronous, _ct);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var statement = tx.QueryAsync<int>("SELECT 1", cancellationToken: cancelled.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => statement);
        Assert.True(statement.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tx.CommitAsync(cancelled.Token));
    }

    private static Caller Caller(Guid organisation) => new() { OrganisationId = organisation, OrganisationKind = OrganisationKind.RightsHolder };
}
