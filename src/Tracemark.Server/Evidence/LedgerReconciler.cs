using System.Globalization;
using Tracemark.Ledger;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Evidence;

/// <summary>A leaf the log holds and no custody event records.</summary>
public sealed record UnrecordedLeaf(long LeafIndex, string Kind, DateTimeOffset OccurredAt, string EvidenceSha256, Guid? OrganisationId);

/// <summary>What a reconciliation found: the leaves it recorded as unrecorded, and the size the node last signed.</summary>
public sealed record ReconcileReport(IReadOnlyList<UnrecordedLeaf> Unrecorded, long SignedSize);

/// <summary>
/// Checks, before the server appends anything, that the log and the database tell the same story, and repairs what a
/// crash can leave behind. Leaves are appended before their rows are committed, so:
/// <list type="bullet">
/// <item>a leaf without a row is what a crash (or a failed commit) between the two steps leaves: the action was never
/// acknowledged, and the log cannot forget it. It is recorded in ledger_unrecorded_leaves and in the audit trail of the
/// organisation the leaf names, and logged.</item>
/// <item>a row without a leaf, a signed tree head beyond the log, or a log whose root differs from one the node signed
/// cannot come from a crash: the ledger folder was replaced or restored from an older backup. The server refuses to
/// start rather than append to a log that lost acknowledged leaves.</item>
/// </list>
/// Startup checks the leaves added since the last check (ledger_state.checked_size), so a restart costs a query over
/// the new leaves only.
/// </summary>
public static class LedgerReconciler
{
    public static async Task<ReconcileReport> ReconcileAsync(Db db, LedgerLog log, string folder, TimeProvider clock, CancellationToken cancellationToken)
    {
        var size = (long)log.Size;
        await using var tx = await db.BeginSystemAsync(cancellationToken);

        // The row lock makes concurrent starts against one database (a second process, tests) take turns.
        var checkedSize = await tx.ExecuteScalarAsync<long>("SELECT checked_size FROM ledger_state FOR UPDATE", cancellationToken: cancellationToken);
        var recordedUpTo = await tx.ExecuteScalarAsync<long?>(
            "SELECT max(leaf_index) FROM (SELECT max(leaf_index) AS leaf_index FROM custody_events UNION ALL SELECT max(leaf_index) FROM ledger_unrecorded_leaves) x",
            cancellationToken: cancellationToken);
        if (recordedUpTo >= size)
        {
            throw Damaged(folder, FormattableString.Invariant($"the database records leaf {recordedUpTo} but the log holds {size} leaves"));
        }

        var signed = await tx.QuerySingleOrDefaultAsync<TreeHeadRow>(
            "SELECT tree_size, root_hash, timestamp_ms, signature, key_fingerprint FROM tree_heads ORDER BY tree_size DESC LIMIT 1",
            cancellationToken: cancellationToken);
        var signedSize = signed?.TreeSize ?? 0;
        if (signed is not null)
        {
            if (signed.TreeSize > size)
            {
                throw Damaged(folder, FormattableString.Invariant($"the node signed a tree head of {signed.TreeSize} leaves but the log holds {size}"));
            }

            // The signed root covers every leaf up to its size, so one comparison checks them all.
            if (!log.RootAt((ulong)signed.TreeSize).AsSpan().SequenceEqual(signed.RootHash))
            {
                throw Damaged(folder, FormattableString.Invariant($"the log's root at {signed.TreeSize} leaves is not the root the node signed at that size"));
            }
        }

        // Leaves after the last signed head are not covered by a signature yet: compare them one by one.
        var tail = await tx.QueryAsync<(long LeafIndex, byte[] LeafHash)>(
            "SELECT leaf_index, leaf_hash FROM custody_events WHERE leaf_index >= @signedSize UNION ALL SELECT leaf_index, leaf_hash FROM ledger_unrecorded_leaves WHERE leaf_index >= @signedSize",
            new { signedSize },
            cancellationToken);
        foreach (var (leafIndex, leafHash) in tail)
        {
            if (!log.ReadLeafHash((ulong)leafIndex).AsSpan().SequenceEqual(leafHash))
            {
                throw Damaged(folder, FormattableString.Invariant($"leaf {leafIndex} in the log is not the leaf the database recorded there"));
            }
        }

        var missing = (await tx.QueryAsync<long>(
            """
            SELECT i FROM generate_series(@from::bigint, @to::bigint - 1) AS i
            WHERE NOT EXISTS (SELECT 1 FROM custody_events c WHERE c.leaf_index = i)
              AND NOT EXISTS (SELECT 1 FROM ledger_unrecorded_leaves u WHERE u.leaf_index = i)
            ORDER BY i
            """,
            new { from = Math.Min(checkedSize, size), to = size },
            cancellationToken)).ToList();
        var unrecorded = new List<UnrecordedLeaf>();
        foreach (var index in missing)
        {
            unrecorded.Add(await InsertAsync(tx, log, (ulong)index, "found_at_startup", clock, cancellationToken));
        }

        await tx.ExecuteAsync("UPDATE ledger_state SET checked_size = @size", new { size }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new ReconcileReport(unrecorded, signedSize);
    }

    /// <summary>Records leaves [first, first + count) as unrecorded, skipping any that a row records after all.</summary>
    public static async Task RecordUnrecordedAsync(Db db, LedgerLog log, ulong first, int count, string reason, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        for (var i = first; i < first + (ulong)count; i++)
        {
            var recorded = await tx.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM custody_events WHERE leaf_index = @i) OR EXISTS (SELECT 1 FROM ledger_unrecorded_leaves WHERE leaf_index = @i)",
                new { i = (long)i },
                cancellationToken);
            if (!recorded)
            {
                await InsertAsync(tx, log, i, reason, clock, cancellationToken);
            }
        }

        await tx.CommitAsync(cancellationToken);
    }

    private static async Task<UnrecordedLeaf> InsertAsync(DbTx tx, LedgerLog log, ulong index, string reason, TimeProvider clock, CancellationToken cancellationToken)
    {
        var leaf = log.ReadLeaf(index);
        var custody = CustodyEvent.Decode(leaf);
        var organisation = LeafNames.ParseOrganisation(custody.Organisation);
        var known = organisation is { } id && await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM organisations WHERE id = @id)", new { id }, cancellationToken);
        var found = new UnrecordedLeaf((long)index, LeafNames.Kind(custody.Kind), custody.Time, Convert.ToHexStringLower(custody.EvidenceSha256), known ? organisation : null);
        await tx.ExecuteAsync(
            """
            INSERT INTO ledger_unrecorded_leaves (leaf_index, leaf_hash, kind, occurred_at, evidence_sha256, organisation_id, reason, found_at)
            VALUES (@LeafIndex, @hash, @Kind, @OccurredAt, @EvidenceSha256, @OrganisationId, @reason, @now)
            """,
            new { found.LeafIndex, hash = Merkle.HashLeaf(leaf), found.Kind, found.OccurredAt, found.EvidenceSha256, found.OrganisationId, reason, now = clock.GetUtcNow() },
            cancellationToken);
        await tx.AuditAsync(
            "ledger.leaf_unrecorded",
            "ledger_leaf",
            index.ToString(CultureInfo.InvariantCulture),
            found.OrganisationId,
            detail: new { found.Kind, found.EvidenceSha256, found.OccurredAt, custody.Actor, reason },
            cancellationToken: cancellationToken);
        return found;
    }

    private static StartupException Damaged(string folder, string what) =>
        new($"the evidence ledger in {folder} does not match the database: {what}. The ledger folder was replaced or restored from an older backup; restore the ledger that belongs to this database (docs/ledger.md, storage) before starting again");
}
