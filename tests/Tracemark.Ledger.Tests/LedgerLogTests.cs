using System.Security.Cryptography;

namespace Tracemark.Ledger.Tests;

public sealed class LedgerLogTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tracemark-ledger-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Appends_survive_reopening_and_give_the_same_roots_and_proofs_as_a_tree_in_memory()
    {
        var random = new Random(1);
        var leaves = Leaves(random, 777);
        var tree = new MemoryTree(leaves);
        await using (var log = LedgerLog.Open(_folder, new LedgerLogOptions { CheckpointInterval = 100 }))
        {
            var next = 0;
            while (next < leaves.Count)
            {
                var count = Math.Min(random.Next(1, 40), leaves.Count - next);
                var first = await log.AppendAsync([.. leaves.Skip(next).Take(count).Select(l => (ReadOnlyMemory<byte>)l)]);
                Assert.Equal((ulong)next, first);
                next += count;
            }

            Assert.Equal(tree.Root(), log.Head.RootHash.ToArray());
        }

        await using var reopened = LedgerLog.Open(_folder);
        Assert.Equal((ulong)leaves.Count, reopened.Size);
        Assert.Equal(tree.Root(), reopened.Head.RootHash.ToArray());
        reopened.VerifyIntegrity();
        for (var i = 0; i < 200; i++)
        {
            var n = (ulong)random.Next(1, leaves.Count + 1);
            var m = (ulong)random.NextInt64(0, (long)n);
            Assert.Equal(leaves[(int)m], reopened.ReadLeaf(m));
            Assert.Equal(tree.LeafHashes[(int)m], reopened.ReadLeafHash(m));
            Assert.Equal(tree.RootAt(n), reopened.RootAt(n));
            Assert.Equal(tree.Inclusion(m, n), reopened.ProveInclusion(m, n));
            Assert.Equal(tree.Consistency(m + 1, n), reopened.ProveConsistency(m + 1, n).Hashes);
        }
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_consecutive_indices_and_land_where_they_were_told()
    {
        await using var log = LedgerLog.Open(_folder, new LedgerLogOptions { MaxBatchLeaves = 64 });
        var appends = Enumerable.Range(0, 2000).Select(async i =>
        {
            var leaf = System.Text.Encoding.UTF8.GetBytes($"leaf {i}");
            await Task.Yield();
            return (Index: await log.AppendAsync(leaf), Leaf: leaf);
        });

        var results = await Task.WhenAll(appends);

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => (ulong)i), results.Select(r => r.Index).Order());
        Assert.All(results, r => Assert.Equal(r.Leaf, log.ReadLeaf(r.Index)));
        Assert.Equal(2000UL, log.Size);
        log.VerifyIntegrity();
    }

    [Fact]
    public async Task A_torn_last_record_is_cut_off_on_opening_and_appends_continue_after_it()
    {
        var leaves = Leaves(new Random(2), 50);
        await AppendAllAsync(leaves);
        var journal = Path.Combine(_folder, "journal");
        var intact = new FileInfo(journal).Length;

        using (var file = File.Open(journal, FileMode.Append))
        {
            file.Write([0, 0, 0, 40, 1, 2, 3]); // a record header promising 40 bytes, then only 3
        }

        await using (var log = LedgerLog.Open(_folder))
        {
            Assert.Equal(50UL, log.Size);
            Assert.Equal(intact, new FileInfo(journal).Length);
            Assert.Equal(50UL, await log.AppendAsync(new byte[] { 42 }));
            log.VerifyIntegrity();
        }

        // A power cut can leave zeros where the last batch should be.
        using (var file = File.Open(journal, FileMode.Append))
        {
            file.Write(new byte[5000]);
        }

        await using var again = LedgerLog.Open(_folder);
        Assert.Equal(51UL, again.Size);
        Assert.Equal(new MemoryTree([.. leaves, [42]]).Root(), again.Head.RootHash.ToArray());
    }

    [Fact]
    public async Task A_record_past_the_checkpoint_whose_checksum_fails_ends_the_log_there()
    {
        await AppendAllAsync(Leaves(new Random(3), 10));
        File.Delete(Path.Combine(_folder, "checkpoint"));
        var journal = Path.Combine(_folder, "journal");
        var bytes = File.ReadAllBytes(journal);
        bytes[^1] ^= 0xFF; // the last record's checksum
        File.WriteAllBytes(journal, bytes);

        await using var log = LedgerLog.Open(_folder);

        Assert.Equal(9UL, log.Size);
        log.VerifyIntegrity();
    }

    [Fact]
    public async Task A_leaf_changed_on_disk_before_the_checkpoint_is_detected_when_read_and_by_the_integrity_check()
    {
        var leaves = Leaves(new Random(8), 10);
        await AppendAllAsync(leaves);
        var journal = Path.Combine(_folder, "journal");
        var bytes = File.ReadAllBytes(journal);
        bytes[16 + 4] ^= 1; // the first leaf's first byte
        File.WriteAllBytes(journal, bytes);

        await using var log = LedgerLog.Open(_folder);

        Assert.Equal(leaves[1], log.ReadLeaf(1));
        Assert.Throws<LedgerDamagedException>(() => log.ReadLeaf(0));
        Assert.Throws<LedgerDamagedException>(log.VerifyIntegrity);
    }

    [Fact]
    public async Task Hashes_and_index_lost_after_the_checkpoint_are_rebuilt_from_the_journal()
    {
        var leaves = Leaves(new Random(4), 300);
        await AppendAllAsync(leaves);
        File.Delete(Path.Combine(_folder, "checkpoint"));
        using (var nodes = File.Open(Path.Combine(_folder, "nodes"), FileMode.Open))
        {
            nodes.SetLength(nodes.Length / 3);
        }

        File.WriteAllBytes(Path.Combine(_folder, "index"), new byte[7]);

        await using var log = LedgerLog.Open(_folder);

        Assert.Equal(300UL, log.Size);
        Assert.Equal(new MemoryTree(leaves).Root(), log.Head.RootHash.ToArray());
        log.VerifyIntegrity();
        Assert.Equal(leaves[123], log.ReadLeaf(123));
    }

    [Fact]
    public async Task A_copy_of_the_journal_alone_cut_in_the_middle_of_a_record_is_a_whole_log()
    {
        var leaves = Leaves(new Random(9), 400);
        await AppendAllAsync(leaves);
        var copy = Path.Combine(_folder, "backup");
        Directory.CreateDirectory(copy);
        var journal = File.ReadAllBytes(Path.Combine(_folder, "journal"));
        File.WriteAllBytes(Path.Combine(copy, "journal"), journal[..^5]); // as if copied while the last record was written

        await using var restored = LedgerLog.Open(copy);

        Assert.Equal(399UL, restored.Size);
        Assert.Equal(new MemoryTree(leaves.Take(399)).Root(), restored.Head.RootHash.ToArray());
        restored.VerifyIntegrity();
    }

    [Fact]
    public async Task Damage_that_no_crash_can_cause_is_refused_rather_than_cut()
    {
        // More than one batch of unreadable journal: cutting it would lose acknowledged leaves.
        var big = Enumerable.Range(0, 150).Select(i => new byte[64 * 1024]).ToList();
        await AppendAllAsync(big);
        var journal = Path.Combine(_folder, "journal");
        File.Delete(Path.Combine(_folder, "checkpoint"));
        using (var file = File.Open(journal, FileMode.Open))
        {
            file.Position = 16 + 4;
            file.WriteByte(1);
        }

        Assert.Contains("more than a torn last batch", Assert.Throws<LedgerDamagedException>(() => LedgerLog.Open(_folder)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_that_is_corrupt_or_claims_more_than_the_files_hold_is_refused()
    {
        await AppendAllAsync(Leaves(new Random(5), 20));
        var checkpoint = Path.Combine(_folder, "checkpoint");
        var original = File.ReadAllBytes(checkpoint);

        var corrupt = (byte[])original.Clone();
        corrupt[10] ^= 1;
        File.WriteAllBytes(checkpoint, corrupt);
        Assert.Contains("checksum", Assert.Throws<LedgerDamagedException>(() => LedgerLog.Open(_folder)).Message, StringComparison.Ordinal);

        File.WriteAllBytes(checkpoint, original);
        using (var nodes = File.Open(Path.Combine(_folder, "nodes"), FileMode.Open))
        {
            nodes.SetLength(32);
        }

        Assert.Throws<LedgerDamagedException>(() => LedgerLog.Open(_folder));
    }

    [Fact]
    public void Only_one_process_or_instance_may_open_a_log()
    {
        using var log = LedgerLog.Open(_folder);

        var ex = Assert.ThrowsAny<IOException>(() => LedgerLog.Open(_folder));
        Assert.Contains("one process at a time", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Appends_and_reads_check_their_arguments()
    {
        await using var log = LedgerLog.Open(_folder, new LedgerLogOptions { MaxBatchLeaves = 3 });
        await log.AppendAsync(new byte[] { 1 });

        Assert.Throws<ArgumentException>(() => { _ = log.AppendAsync(ReadOnlyMemory<byte>.Empty); });
        Assert.Throws<ArgumentException>(() => { _ = log.AppendAsync(new byte[LedgerLog.MaxLeafBytes + 1]); });
        Assert.Throws<ArgumentException>(() => { _ = log.AppendAsync([new byte[1], new byte[1], new byte[1], new byte[1]]); });
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ReadLeaf(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ProveInclusion(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ProveConsistency(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.RootAt(2));
        Assert.Equal(Merkle.EmptyRoot.ToArray(), log.RootAt(0));
    }

    [Fact]
    public async Task A_receipt_from_the_log_verifies_and_a_tree_head_of_another_log_is_refused()
    {
        using var key = LedgerKey.Generate();
        var file = "evidence bytes"u8.ToArray();
        await using var log = LedgerLog.Open(_folder);
        await AppendAllAsync(log, Leaves(new Random(6), 10));
        var index = await log.AppendAsync(new CustodyEvent(SHA256.HashData(file), CustodyEventKind.Uploaded, DateTimeOffset.UtcNow, "org:a", "user:1").Encode());
        await AppendAllAsync(log, Leaves(new Random(7), 5));
        var head = key.Sign(log.Head, DateTimeOffset.UtcNow);

        var receipt = log.CreateReceipt(index, head);

        Assert.True(receipt.Verify(key, SHA256.HashData(file)).AllHold);
        var forged = key.Sign(new TreeHead(head.TreeSize, SHA256.HashData("another log"u8)), DateTimeOffset.UtcNow);
        Assert.Throws<ArgumentException>(() => log.CreateReceipt(index, forged));
    }

    [Fact]
    public async Task Appending_after_disposal_is_refused_and_pending_appends_finish_first()
    {
        var log = LedgerLog.Open(_folder);
        var pending = Enumerable.Range(0, 100).Select(i => log.AppendAsync(new[] { (byte)i })).ToList();
        await log.DisposeAsync();

        Assert.All(pending, p => Assert.True(p.IsCompletedSuccessfully));
        Assert.Throws<ObjectDisposedException>(() => { _ = log.AppendAsync(new byte[] { 1 }); });
        await using var reopened = LedgerLog.Open(_folder);
        Assert.Equal(100UL, reopened.Size);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    internal static List<byte[]> Leaves(Random random, int count)
    {
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var leaf = new byte[random.Next(1, 300)];
            random.NextBytes(leaf);
            leaves.Add(leaf);
        }

        return leaves;
    }

    private static async Task AppendAllAsync(LedgerLog log, List<byte[]> leaves)
    {
        foreach (var chunk in leaves.Chunk(50))
        {
            await log.AppendAsync([.. chunk.Select(l => (ReadOnlyMemory<byte>)l)]);
        }
    }

    private async Task AppendAllAsync(List<byte[]> leaves)
    {
        await using var log = LedgerLog.Open(_folder);
        await AppendAllAsync(log, leaves);
    }
}
