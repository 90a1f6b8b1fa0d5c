using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Tracemark.Ledger;

namespace Tracemark.Benchmarks;

/// <summary>Realistic leaves: custody events of about 100 bytes, as the evidence store will append them.</summary>
internal static class CustodyLeaves
{
    public static byte[] Make(int i) => new CustodyEvent(
        SHA256.HashData(BitConverter.GetBytes(i)),
        (CustodyEventKind)(1 + (i % 8)),
        DateTimeOffset.UnixEpoch.AddSeconds(1_772_000_000 + i),
        "org:customs-sh",
        "user:4711",
        "seizure/2026-000123",
        i % 8 is 2 or 4 ? "org:police-sh" : null).Encode();

    /// <summary>Prints into the benchmark log what the log's files take per leaf.</summary>
    public static void ReportStorage(string folder, ulong leaves)
    {
        var bytes = new DirectoryInfo(folder).EnumerateFiles().Sum(f => f.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// storage: {leaves:N0} leaves of about {Make(0).Length} bytes take {bytes:N0} bytes on disk, {bytes / (double)leaves:F1} bytes per leaf"));
    }
}

/// <summary>
/// Durable appends: each operation is one leaf, acknowledged only after the batch holding it is fsynced.
/// Leaves per second = 1 s / the mean time per operation.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[IterationTime(250)]
public class LedgerAppendBenchmarks
{
    private const int Batch = 1000;
    private const int Callers = 64;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tracemark-bench-append-" + Guid.NewGuid().ToString("N"));
    private LedgerLog _log = null!;
    private ReadOnlyMemory<byte>[] _batch = null!;
    private byte[] _leaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        _log = LedgerLog.Open(_folder);
        _batch = [.. Enumerable.Range(0, Batch).Select(i => (ReadOnlyMemory<byte>)CustodyLeaves.Make(i))];
        _leaf = CustodyLeaves.Make(0);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CustodyLeaves.ReportStorage(_folder, _log.Size);
        _log.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>One caller, one leaf at a time: every leaf pays a whole fsync.</summary>
    [Benchmark]
    public Task<ulong> OneLeafPerAppend() => _log.AppendAsync(_leaf);

    /// <summary>One caller appending 1,000 leaves per call (a batch import).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public Task<ulong> ThousandLeavesPerAppend() => _log.AppendAsync(_batch);

    /// <summary>64 callers at once, one leaf each (many requests): the writer gathers them into shared fsyncs.</summary>
    [Benchmark(OperationsPerInvoke = Callers)]
    public Task SixtyFourConcurrentCallers()
    {
        var appends = new Task[Callers];
        for (var i = 0; i < Callers; i++)
        {
            appends[i] = _log.AppendAsync(_batch[i]);
        }

        return Task.WhenAll(appends);
    }
}

/// <summary>
/// Proofs from a log of 10,000,000 custody events on disk. The log is built once into
/// $TRACEMARK_BENCH_LEDGER (default /tmp/tracemark-bench-ledger-10m) and reused by later runs.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[IterationTime(250)]
public class LedgerProofBenchmarks
{
    private const ulong Leaves = 10_000_000;
    private const int Samples = 1024;

    private LedgerLog _log = null!;
    private ulong[] _indices = null!;
    private ulong[] _olderSizes = null!;
    private byte[][] _leafHashes = null!;
    private byte[][][] _inclusionProofs = null!;
    private byte[][][] _consistencyProofs = null!;
    private byte[][] _olderRoots = null!;
    private byte[] _root = null!;
    private SignedTreeHead _head = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var folder = Environment.GetEnvironmentVariable("TRACEMARK_BENCH_LEDGER") ?? Path.Combine(Path.GetTempPath(), "tracemark-bench-ledger-10m");
        _log = LedgerLog.Open(folder);
        Fill(_log);
        CustodyLeaves.ReportStorage(folder, Leaves);

        var random = new Random(10_000_000);
        _indices = [.. Enumerable.Range(0, Samples).Select(_ => (ulong)random.NextInt64(0, (long)Leaves))];
        _olderSizes = [.. Enumerable.Range(0, Samples).Select(_ => (ulong)random.NextInt64(1, (long)Leaves))];
        _root = _log.RootAt(Leaves);

        // Receipts are built under a tree head the node signed; the signature itself plays no part in building one.
        _head = new SignedTreeHead(Leaves, _root, DateTimeOffset.UnixEpoch, [0]);
        _leafHashes = [.. _indices.Select(_log.ReadLeafHash)];
        _inclusionProofs = [.. _indices.Select(i => _log.ProveInclusion(i, Leaves))];
        _olderRoots = [.. _olderSizes.Select(_log.RootAt)];
        _consistencyProofs = [.. _olderSizes.Select(m => _log.ProveConsistency(m, Leaves).Hashes.ToArray())];
    }

    [GlobalCleanup]
    public void Cleanup() => _log.Dispose();

    [Benchmark]
    public byte[][] InclusionProof()
    {
        var i = Next();
        return _log.ProveInclusion(_indices[i], Leaves);
    }

    [Benchmark]
    public bool VerifyInclusion()
    {
        var i = Next();
        return Merkle.VerifyInclusion(_indices[i], Leaves, _leafHashes[i], _inclusionProofs[i], _root).IsValid;
    }

    [Benchmark]
    public ConsistencyProof ConsistencyProof()
    {
        var i = Next();
        return _log.ProveConsistency(_olderSizes[i], Leaves);
    }

    [Benchmark]
    public bool VerifyConsistency()
    {
        var i = Next();
        return Merkle.VerifyConsistency(_olderSizes[i], Leaves, _consistencyProofs[i], _olderRoots[i], _root).IsValid;
    }

    /// <summary>What a receipt request costs the node: the leaf, the root at the signed size (checked), the proof.</summary>
    [Benchmark]
    public Receipt Receipt()
    {
        var i = Next();
        return _log.CreateReceipt(_indices[i], _head);
    }

    private static void Fill(LedgerLog log)
    {
        const int Chunk = 10_000;
        while (log.Size < Leaves)
        {
            var start = (int)log.Size;
            var count = (int)Math.Min(Chunk, Leaves - log.Size);
            log.AppendAsync([.. Enumerable.Range(start, count).Select(i => (ReadOnlyMemory<byte>)CustodyLeaves.Make(i))]).GetAwaiter().GetResult();
            if (log.Size % 1_000_000 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// built {log.Size:N0} of {Leaves:N0} leaves"));
            }
        }
    }

    private int Next() => _next = (_next + 1) % Samples;
}
