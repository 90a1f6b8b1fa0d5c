using System.Globalization;
using Tracemark.Ledger;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Evidence;

/// <summary>A signed tree head as PostgreSQL keeps it.</summary>
internal sealed record TreeHeadRow(long TreeSize, byte[] RootHash, long TimestampMs, byte[] Signature, string KeyFingerprint)
{
    public SignedTreeHead ToSigned() => new((ulong)TreeSize, RootHash, DateTimeOffset.FromUnixTimeMilliseconds(TimestampMs), Signature);
}

/// <summary>
/// The node's evidence ledger: the Merkle log in <c>&lt;data&gt;/ledger</c>, the key that signs its tree heads, and
/// the tree heads kept in PostgreSQL. The log is opened (and checked against the database, see
/// <see cref="LedgerReconciler"/>) on first use: by the startup service before the server listens, or by the demo
/// loader before that.
/// </summary>
/// <remarks>
/// A custody event is written in two steps: its leaf is appended to the log, durably, then its row (with the leaf's
/// index) is committed with the change it records. A crash between the two leaves a leaf without a row, never a row
/// without a leaf; the next start records such leaves in ledger_unrecorded_leaves and tells the organisation concerned.
/// </remarks>
public sealed class EvidenceLedger(TracemarkSettings settings, IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<EvidenceLedger> logger)
    : IAsyncDisposable
{
    /// <summary>A test hook (off unless configured): after an append is durable, write its index to this file and stop, to be killed.</summary>
    public const string HoldAfterAppendSetting = "Tracemark:TestHooks:HoldAfterLedgerAppend";

    private const string SelectTreeHead = "SELECT tree_size, root_hash, timestamp_ms, signature, key_fingerprint FROM tree_heads";

    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly SemaphoreSlim _signing = new(1, 1);
    private readonly string? _holdAfterAppend = configuration[HoldAfterAppendSetting];
    private LedgerLog? _log;
    private LedgerKey? _key;
    private long _signedSize = -1;

    public string Folder { get; } = Path.Combine(settings.DataFolder, "ledger");

    public LedgerLog Log => Volatile.Read(ref _log) ?? throw new InvalidOperationException("The evidence ledger is not open yet.");

    public LedgerKey Key => _key ?? throw new InvalidOperationException("The evidence ledger is not open yet.");

    /// <summary>Opens the log and the key and reconciles the log with the database, once; later calls return at once.</summary>
    public async Task EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _log) is not null)
        {
            return;
        }

        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (_log is not null)
            {
                return;
            }

            var key = LedgerKeyFile.Load(settings, logger);
            LedgerLog log;
            try
            {
                log = LedgerLog.Open(Folder);
            }
            catch (IOException ex)
            {
                key.Dispose();
                throw new StartupException($"cannot open the evidence ledger in {Folder}: {ex.Message}", ex);
            }

            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<Db>();
                var report = await LedgerReconciler.ReconcileAsync(db, log, Folder, clock, cancellationToken);
                foreach (var leaf in report.Unrecorded)
                {
                    logger.LogWarning(
                        "Ledger leaf {Index} ({Kind} of evidence {Sha256}) is in the log but was never recorded: the server stopped before its transaction committed. It is listed in ledger_unrecorded_leaves and the organisation's audit trail.",
                        leaf.LeafIndex,
                        leaf.Kind,
                        leaf.EvidenceSha256);
                }

                _signedSize = report.SignedSize;
            }
            catch
            {
                await log.DisposeAsync();
                key.Dispose();
                throw;
            }

            _key = key;
            Volatile.Write(ref _log, log);
            logger.LogInformation("Evidence ledger open: {Size} leaves, key {Fingerprint}", log.Size, key.Fingerprint);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>
    /// Appends leaves at consecutive indices and returns the first; when it returns they are on disk. The caller
    /// records them in its transaction next; should that fail, it reports them with <see cref="RecordUnrecordedAsync"/>.
    /// </summary>
    public async Task<ulong> AppendAsync(IReadOnlyList<byte[]> leaves)
    {
        var first = await Log.AppendAsync([.. leaves.Select(leaf => (ReadOnlyMemory<byte>)leaf)]);
        if (_holdAfterAppend is not null)
        {
            await HoldForCrashTestAsync(first);
        }

        return first;
    }

    /// <summary>
    /// After a transaction that appended leaves failed: says so in the database at once rather than at the next
    /// start. Best effort: if the database is what failed, the next start finds the leaves anyway.
    /// </summary>
    public async Task RecordUnrecordedAsync(ulong first, int count)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Db>();
            await LedgerReconciler.RecordUnrecordedAsync(db, Log, first, count, "transaction_failed", clock, CancellationToken.None);
            logger.LogWarning("Ledger leaves {First} to {Last} were appended but their transaction failed; they are listed in ledger_unrecorded_leaves", first, first + (ulong)count - 1);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not record that ledger leaves {First} to {Last} have no custody event; the next start will", first, first + (ulong)count - 1);
        }
    }

    /// <summary>Signs the log's current head unless it is signed already; returns whether it signed.</summary>
    public async Task<bool> SignPendingAsync(CancellationToken cancellationToken)
    {
        var head = Log.Head;
        if ((long)head.TreeSize == Volatile.Read(ref _signedSize))
        {
            return false;
        }

        await _signing.WaitAsync(cancellationToken);
        try
        {
            head = Log.Head;
            if ((long)head.TreeSize == _signedSize)
            {
                return false;
            }

            await SignAsync(head, cancellationToken);
            return true;
        }
        finally
        {
            _signing.Release();
        }
    }

    /// <summary>The latest signed tree head; signs one first if the database has none (a new node, or a test's emptied database).</summary>
    public async Task<SignedTreeHead> LatestAsync(DbTx tx, CancellationToken cancellationToken)
    {
        await EnsureOpenAsync(cancellationToken);
        var row = await tx.QuerySingleOrDefaultAsync<TreeHeadRow>(SelectTreeHead + " ORDER BY tree_size DESC LIMIT 1", cancellationToken: cancellationToken);
        if (row is not null)
        {
            return row.ToSigned();
        }

        await _signing.WaitAsync(cancellationToken);
        try
        {
            return await SignAsync(Log.Head, cancellationToken);
        }
        finally
        {
            _signing.Release();
        }
    }

    public static async Task<SignedTreeHead?> AtSizeAsync(DbTx tx, ulong treeSize, CancellationToken cancellationToken) =>
        treeSize > long.MaxValue
            ? null
            : (await tx.QuerySingleOrDefaultAsync<TreeHeadRow>(SelectTreeHead + " WHERE tree_size = @size", new { size = (long)treeSize }, cancellationToken))?.ToSigned();

    public async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }

        _key?.Dispose();
        _opening.Dispose();
        _signing.Dispose();
    }

    /// <summary>Signs <paramref name="head"/> and keeps it; a size signed before keeps its first signature. Call holding <see cref="_signing"/>.</summary>
    private async Task<SignedTreeHead> SignAsync(TreeHead head, CancellationToken cancellationToken)
    {
        var signed = Key.Sign(head, clock.GetUtcNow());
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        await tx.ExecuteAsync(
            """
            INSERT INTO tree_heads (tree_size, root_hash, timestamp_ms, signature, key_fingerprint)
            VALUES (@size, @root, @timestamp, @signature, @fingerprint)
            ON CONFLICT (tree_size) DO NOTHING
            """,
            new
            {
                size = (long)signed.TreeSize,
                root = signed.RootHash.ToArray(),
                timestamp = signed.Timestamp.ToUnixTimeMilliseconds(),
                signature = signed.Signature.ToArray(),
                fingerprint = Key.Fingerprint,
            },
            cancellationToken);
        var kept = await tx.QuerySingleAsync<TreeHeadRow>(SelectTreeHead + " WHERE tree_size = @size", new { size = (long)signed.TreeSize }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        Volatile.Write(ref _signedSize, (long)signed.TreeSize);
        return kept.ToSigned();
    }

    private async Task HoldForCrashTestAsync(ulong first)
    {
        var temporary = _holdAfterAppend + ".tmp";
        await File.WriteAllTextAsync(temporary, first.ToString(CultureInfo.InvariantCulture));
        File.Move(temporary, _holdAfterAppend!, overwrite: true);
        logger.LogWarning("Test hook: holding after appending leaf {Index}, before recording it", first);
        await Task.Delay(Timeout.Infinite);
    }
}
