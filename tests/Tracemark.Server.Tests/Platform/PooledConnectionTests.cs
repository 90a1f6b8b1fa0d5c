using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Tests.Platform;

/// <summary>
/// Pooled connections are not reset when they are reused (the reset was two parsed batches per filed
/// notice): nothing of one transaction's caller may reach the next transaction on the same connection.
/// </summary>
public sealed class PooledConnectionTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_transaction_leaves_neither_its_role_nor_its_caller_on_its_connection(bool commit)
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        int backend;
        await using (var tx = await db.BeginAsync(new Caller { OrganisationId = organisation, OrganisationKind = OrganisationKind.RightsHolder }, _ct))
        {
            backend = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", cancellationToken: _ct);
            Assert.Equal("tracemark_app", await tx.ExecuteScalarAsync<string>("SELECT current_user", cancellationToken: _ct));
            Assert.Equal(organisation, await tx.ExecuteScalarAsync<Guid?>("SELECT tm_org()", cancellationToken: _ct));
            if (commit)
            {
                await tx.CommitAsync(_ct);
            }
        }

        // The pool hands out its idle connections in turn: within a few transactions the same one comes back.
        var reused = false;
        for (var attempt = 0; attempt < 50 && !reused; attempt++)
        {
            await using var next = await db.BeginSystemAsync(_ct);
            reused = await next.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", cancellationToken: _ct) == backend;
            Assert.NotEqual("tracemark_app", await next.ExecuteScalarAsync<string>("SELECT current_user", cancellationToken: _ct));
            Assert.Null(await next.ExecuteScalarAsync<Guid?>("SELECT tm_org()", cancellationToken: _ct));
            Assert.Equal("", await next.ExecuteScalarAsync<string>("SELECT coalesce(current_setting('tracemark.org_kind', true), '')", cancellationToken: _ct));
            await next.CommitAsync(_ct);
        }

        Assert.True(reused, "The connection of the first transaction never came back from the pool.");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_writers_generic_plans_hold_for_its_transaction_only(bool commit)
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        var caller = new Caller { OrganisationId = organisation, OrganisationKind = OrganisationKind.RightsHolder };
        int backend;
        await using (var tx = await db.BeginAsync(caller, synchronous: true, genericPlans: true, _ct))
        {
            backend = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", cancellationToken: _ct);
            Assert.Equal("force_generic_plan", await tx.ExecuteScalarAsync<string>("SHOW plan_cache_mode", cancellationToken: _ct));
            Assert.Equal(organisation, await tx.ExecuteScalarAsync<Guid?>("SELECT tm_org()", cancellationToken: _ct));
            if (commit)
            {
                await tx.CommitAsync(_ct);
            }
        }

        // Every other transaction, on the writer's connection too, plans as PostgreSQL's own setting says.
        var reused = false;
        for (var attempt = 0; attempt < 50 && !reused; attempt++)
        {
            await using var next = await db.BeginAsync(caller, _ct);
            reused = await next.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", cancellationToken: _ct) == backend;
            Assert.Equal("auto", await next.ExecuteScalarAsync<string>("SHOW plan_cache_mode", cancellationToken: _ct));
            await next.CommitAsync(_ct);
        }

        Assert.True(reused, "The connection of the first transaction never came back from the pool.");
    }
}
