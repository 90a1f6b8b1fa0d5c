using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Ledger;
using Tracemark.Server.Evidence;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Tests.Evidence;

/// <summary>
/// What a restart finds and does: leaves a crash left without rows are recorded and reported; a log that lost or
/// changed leaves the database or a signed tree head vouches for stops the start. Each test has its own log and database.
/// </summary>
public sealed class LedgerReconciliationTests(EvidenceFactory factory) : IClassFixture<EvidenceFactory>, IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tracemark-reconcile-tests", Guid.NewGuid().ToString("N"));
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly byte[] _sha = RandomNumberGenerator.GetBytes(32);
    private Guid _customs;
    private Guid _evidence;

    public async ValueTask InitializeAsync()
    {
        await factory.ResetAsync();
        _customs = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        _evidence = Guid.CreateVersion7();
        await using var owner = await factory.OpenOwnerConnectionAsync();
        await owner.ExecuteAsync(
            """
            INSERT INTO blobs (sha256, size, media_type) VALUES (@sha, 10, 'image/png');
            INSERT INTO evidence_items (id, sha256, owner_org_id, custodian_org_id, collected_by, collected_at, uploaded_by, created_at, updated_at)
            VALUES (@id, @sha, @customs, @customs, 'x', now(), 'user:00000000-0000-7000-8000-000000000000', now(), now());
            """,
            new { sha = Convert.ToHexStringLower(_sha), id = _evidence, customs = _customs });
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Leaves_without_rows_anywhere_in_the_log_are_recorded_reported_and_found_once()
    {
        await using var log = LedgerLog.Open(Path.Combine(_folder, "gaps"));
        for (ulong i = 0; i < 6; i++)
        {
            var leaf = Viewed(i);
            await log.AppendAsync(leaf);
            if (i is not (2 or 5))
            {
                await RecordAsync(i, leaf);
            }
        }

        var first = await ReconcileAsync(log);
        var second = await ReconcileAsync(log);

        Assert.Equal([2L, 5L], first.Unrecorded.Select(u => u.LeafIndex));
        Assert.All(first.Unrecorded, u => Assert.Equal(_customs, u.OrganisationId));
        Assert.Equal("viewed", first.Unrecorded[0].Kind);
        Assert.Empty(second.Unrecorded);
        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(6, await owner.ExecuteScalarAsync<long>("SELECT checked_size FROM ledger_state"));
        Assert.Equal(
            ["2:found_at_startup", "5:found_at_startup"],
            await owner.QueryAsync<string>("SELECT leaf_index || ':' || reason FROM ledger_unrecorded_leaves ORDER BY leaf_index"));
        Assert.Equal(
            ["2", "5"],
            await owner.QueryAsync<string>("SELECT record_id FROM audit_events WHERE action = 'ledger.leaf_unrecorded' AND record_owner_id = @customs ORDER BY id", new { customs = _customs }));
    }

    [Fact]
    public async Task Leaves_whose_transaction_failed_are_recorded_at_once_and_not_again_at_startup()
    {
        await using var log = LedgerLog.Open(Path.Combine(_folder, "failed"));
        await log.AppendAsync([Viewed(0), Viewed(1)]);
        using var scope = factory.Services.CreateScope();

        await LedgerReconciler.RecordUnrecordedAsync(scope.ServiceProvider.GetRequiredService<Db>(), log, 0, 2, "transaction_failed", factory.Clock, _ct);
        var report = await ReconcileAsync(log);

        Assert.Empty(report.Unrecorded);
        await using var owner = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(2, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_unrecorded_leaves WHERE reason = 'transaction_failed'"));
    }

    [Fact]
    public async Task A_log_shorter_than_the_database_records_stops_the_start()
    {
        await using var log = LedgerLog.Open(Path.Combine(_folder, "short"));
        await log.AppendAsync(Viewed(0));
        await RecordAsync(0, Viewed(0));
        await RecordAsync(1, Viewed(1));

        var refused = await Assert.ThrowsAsync<StartupException>(() => ReconcileAsync(log));
        Assert.Contains("the database records leaf 1 but the log holds 1 leaves", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_that_differs_from_a_signed_tree_head_or_a_recorded_leaf_stops_the_start()
    {
        await using var log = LedgerLog.Open(Path.Combine(_folder, "original"));
        for (ulong i = 0; i < 4; i++)
        {
            await log.AppendAsync(Viewed(i));
            await RecordAsync(i, Viewed(i));
        }

        using var key = LedgerKey.Generate();
        var head = key.Sign(new TreeHead(3, log.RootAt(3)), factory.Clock.GetUtcNow());
        await using (var owner = await factory.OpenOwnerConnectionAsync())
        {
            await owner.ExecuteAsync(
                "INSERT INTO tree_heads VALUES (3, @root, @timestamp, @signature, @fingerprint)",
                new { root = head.RootHash.ToArray(), timestamp = head.Timestamp.ToUnixTimeMilliseconds(), signature = head.Signature.ToArray(), fingerprint = key.Fingerprint });
        }

        Assert.Empty((await ReconcileAsync(log)).Unrecorded);

        // Another log of the same size: its root at the signed size differs.
        await using var replaced = LedgerLog.Open(Path.Combine(_folder, "replaced"));
        for (ulong i = 0; i < 4; i++)
        {
            await replaced.AppendAsync(Viewed(i == 1 ? 99 : i));
        }

        var rewritten = await Assert.ThrowsAsync<StartupException>(() => ReconcileAsync(replaced));
        Assert.Contains("is not the root the node signed", rewritten.Message, StringComparison.Ordinal);

        // The same first three leaves, a different fourth: past the signed size, the recorded leaf hash catches it.
        await using var tail = LedgerLog.Open(Path.Combine(_folder, "tail"));
        for (ulong i = 0; i < 4; i++)
        {
            await tail.AppendAsync(Viewed(i == 3 ? 98 : i));
        }

        var changed = await Assert.ThrowsAsync<StartupException>(() => ReconcileAsync(tail));
        Assert.Contains("leaf 3 in the log is not the leaf the database recorded there", changed.Message, StringComparison.Ordinal);

        // A log cut back below the signed size.
        await using var cut = LedgerLog.Open(Path.Combine(_folder, "cut"));
        await cut.AppendAsync(Viewed(0));
        await Assert.ThrowsAsync<StartupException>(() => ReconcileAsync(cut));
    }

    private byte[] Viewed(ulong i) =>
        new CustodyEvent(_sha, CustodyEventKind.Viewed, DateTimeOffset.UnixEpoch.AddDays(20_000).AddMinutes(i), LeafNames.Organisation(_customs), "user:00000000-0000-7000-8000-000000000000").Encode();

    private async Task RecordAsync(ulong index, byte[] leaf)
    {
        await using var owner = await factory.OpenOwnerConnectionAsync();
        await owner.ExecuteAsync(
            """
            INSERT INTO custody_events (id, evidence_id, leaf_index, leaf_hash, kind, occurred_at, organisation_id, actor, recorded_at)
            VALUES (gen_random_uuid(), @evidence, @index, @hash, 'viewed', now(), @customs, 'user:00000000-0000-7000-8000-000000000000', now())
            """,
            new { evidence = _evidence, index = (long)index, hash = Merkle.HashLeaf(leaf), customs = _customs });
    }

    private async Task<ReconcileReport> ReconcileAsync(LedgerLog log)
    {
        using var scope = factory.Services.CreateScope();
        return await LedgerReconciler.ReconcileAsync(scope.ServiceProvider.GetRequiredService<Db>(), log, log.Folder, factory.Clock, _ct);
    }
}
