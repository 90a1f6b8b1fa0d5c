using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Tracemark.Ledger.Storage;

namespace Tracemark.Ledger;

public sealed class LedgerLogOptions
{
    /// <summary>The most leaves one fsync makes durable; concurrent appends beyond it wait for the next.</summary>
    public int MaxBatchLeaves { get; init; } = 16_384;

    /// <summary>
    /// Leaves appended between checkpoints. A checkpoint costs two fsyncs; after a crash, opening the log
    /// re-reads the journal written since the last one.
    /// </summary>
    public int CheckpointInterval { get; init; } = 262_144;
}

/// <summary>
/// A durable, append-only Merkle log in a folder of plain files (layout: <see cref="LogFormat"/>). Appends from
/// any number of callers are gathered into batches by one writer thread; each batch is written and fsynced once,
/// and only then are its appends acknowledged, so a leaf whose append completed survives kill -9 and power loss,
/// and a crash at any moment leaves the log a prefix of what was appended: nothing acknowledged lost or doubled,
/// no gap. Reads (leaves, roots, proofs) run concurrently with appends and see only durable leaves.
/// </summary>
/// <remarks>
/// It lives in the library rather than the server because it is plain file I/O with no framework: the server
/// opens it in its data folder, and the crash tests, benchmarks and offline tools use it without a web host.
/// </remarks>
public sealed class LedgerLog : IDisposable, IAsyncDisposable
{
    public const int MaxLeafBytes = 1 << 20;

    /// <summary>The most journal bytes one batch writes, so recovery can tell a torn last batch from damage.</summary>
    public const int MaxBatchBytes = 8 << 20;

    // Derived writes are flushed to their files in pieces of this size while a long journal tail is replayed.
    private const int ReplayFlushBytes = 4 << 20;

    private readonly string _folder;
    private readonly LedgerLogOptions _options;
    private readonly SafeFileHandle _journal;
    private readonly SafeFileHandle _nodes;
    private readonly SafeFileHandle _index;
    private readonly NodeFile _nodeFile;
    private readonly object _gate = new();
    private readonly Queue<PendingAppend> _queue = new();
    private readonly Thread _writer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArrayBufferWriter<byte> _journalBuffer = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _nodesBuffer = new(64 * 1024);
    private readonly ArrayBufferWriter<byte> _indexBuffer = new(16 * 1024);
    private readonly byte[] _completed = new byte[CompactRange.MaxCompletedNodes * Merkle.HashSize];

    // Guarded by _gate.
    private bool _closing;
    private Exception? _fault;

    // Written by the writer thread (and by the constructor before it starts), published through _head.
    private CompactRange _frontier = new();
    private ulong _appended;
    private ulong _checkpointed;
    private long _journalLength;
    private long _nodesLength;
    private long _indexLength;
    private TreeHead _head = new(0, Merkle.EmptyRoot);
    private bool _disposed;

    private LedgerLog(string folder, LedgerLogOptions options, SafeFileHandle journal, SafeFileHandle nodes, SafeFileHandle index, bool createdFolder)
    {
        _folder = folder;
        _options = options;
        _journal = journal;
        _nodes = nodes;
        _index = index;
        _nodeFile = new NodeFile(nodes);
        Recover(createdFolder);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "ledger writer " + Path.GetFileName(folder) };
        _writer.Start();
    }

    /// <summary>The durable state: every leaf counted here survives a crash.</summary>
    public TreeHead Head => Volatile.Read(ref _head);

    public ulong Size => Head.TreeSize;

    public string Folder => _folder;

    /// <summary>
    /// Opens the log in <paramref name="folder"/>, creating it if needed, and recovers from any crash: a torn last
    /// batch is cut off and the hashes are rebuilt from the journal. One process at a time may have a log open.
    /// </summary>
    public static LedgerLog Open(string folder, LedgerLogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        options ??= new LedgerLogOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchLeaves, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CheckpointInterval, 1, nameof(options));

        var path = Path.GetFullPath(folder);
        var created = !Directory.Exists(path);
        Directory.CreateDirectory(path);
        SafeFileHandle? journal = null;
        SafeFileHandle? nodes = null;
        SafeFileHandle? index = null;
        try
        {
            journal = OpenFile(path, LogFormat.JournalFile);
            nodes = OpenFile(path, LogFormat.NodesFile);
            index = OpenFile(path, LogFormat.IndexFile);
            return new LedgerLog(path, options, journal, nodes, index, created);
        }
        catch
        {
            index?.Dispose();
            nodes?.Dispose();
            journal?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends one leaf; the task completes with its index once it is on disk. An append cannot be called off:
    /// once asked for, the leaf is written or the log stops with an error.
    /// </summary>
    public Task<ulong> AppendAsync(ReadOnlyMemory<byte> leaf) => AppendAsync([leaf]);

    /// <summary>
    /// Appends leaves at consecutive indices; the task completes with the first index once all are on disk.
    /// The leaves are read on the writer thread: leave their memory unchanged until the task completes.
    /// </summary>
    public Task<ulong> AppendAsync(IReadOnlyList<ReadOnlyMemory<byte>> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count == 0 || leaves.Count > _options.MaxBatchLeaves)
        {
            throw new ArgumentException($"Append from 1 to {_options.MaxBatchLeaves.ToString(CultureInfo.InvariantCulture)} leaves at a time.", nameof(leaves));
        }

        long bytes = 0;
        for (var i = 0; i < leaves.Count; i++)
        {
            if (leaves[i].Length is 0 or > MaxLeafBytes)
            {
                throw new ArgumentException($"A leaf has from 1 byte to {MaxLeafBytes.ToString(CultureInfo.InvariantCulture)} bytes.", nameof(leaves));
            }

            bytes += LogFormat.RecordOverhead + leaves[i].Length;
        }

        if (bytes > MaxBatchBytes)
        {
            throw new ArgumentException($"One append holds at most {MaxBatchBytes.ToString(CultureInfo.InvariantCulture)} bytes of leaves.", nameof(leaves));
        }

        var pending = new PendingAppend(leaves, bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, this);
            if (_fault is not null)
            {
                throw Stopped(_fault);
            }

            _queue.Enqueue(pending);
            Monitor.Pulse(_gate);
        }

        return pending.Completion.Task;
    }

    public byte[] ReadLeaf(ulong leafIndex)
    {
        CheckIndex(leafIndex, Size);
        Span<byte> entry = stackalloc byte[LogFormat.IndexEntrySize];
        ReadExactly(_index, entry, (long)leafIndex * LogFormat.IndexEntrySize);
        var offset = BinaryPrimitives.ReadInt64BigEndian(entry);
        Span<byte> length = stackalloc byte[4];
        ReadExactly(_journal, length, offset);
        var size = BinaryPrimitives.ReadUInt32BigEndian(length);
        if (size is 0 or > MaxLeafBytes)
        {
            throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"leaf {leafIndex} in {_folder} has an impossible length"));
        }

        var leaf = new byte[size];
        ReadExactly(_journal, leaf, offset + 4);

        // A leaf handed out goes into receipts and court files: check it against its stored hash first.
        Span<byte> stored = stackalloc byte[Merkle.HashSize];
        Span<byte> actual = stackalloc byte[Merkle.HashSize];
        _nodeFile.ReadNode(0, leafIndex, stored);
        Merkle.HashLeaf(leaf, actual);
        if (!actual.SequenceEqual(stored))
        {
            throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"leaf {leafIndex} in {_folder} does not match its stored hash"));
        }

        return leaf;
    }

    public byte[] ReadLeafHash(ulong leafIndex)
    {
        CheckIndex(leafIndex, Size);
        var hash = new byte[Merkle.HashSize];
        _nodeFile.ReadNode(0, leafIndex, hash);
        return hash;
    }

    /// <summary>The root the log had when it held <paramref name="treeSize"/> leaves.</summary>
    public byte[] RootAt(ulong treeSize)
    {
        CheckSize(treeSize);
        var root = new byte[Merkle.HashSize];
        ProofPlan.Root(_nodeFile, treeSize, root);
        return root;
    }

    /// <summary>RFC 9162 inclusion proof of a leaf in the tree of <paramref name="treeSize"/> leaves.</summary>
    public byte[][] ProveInclusion(ulong leafIndex, ulong treeSize)
    {
        CheckSize(treeSize);
        CheckIndex(leafIndex, treeSize);
        return ProofPlan.Inclusion(_nodeFile, leafIndex, treeSize);
    }

    /// <summary>RFC 9162 consistency proof between the trees of <paramref name="fromSize"/> and <paramref name="toSize"/> leaves (0 &lt; from ≤ to).</summary>
    public ConsistencyProof ProveConsistency(ulong fromSize, ulong toSize)
    {
        CheckSize(toSize);
        if (fromSize == 0 || fromSize > toSize)
        {
            throw new ArgumentOutOfRangeException(nameof(fromSize), fromSize, "Consistency proofs go from 0 < fromSize <= toSize.");
        }

        return new ConsistencyProof(fromSize, toSize, ProofPlan.Consistency(_nodeFile, fromSize, toSize));
    }

    /// <summary>The receipt of a leaf under a tree head the node signed over this log.</summary>
    public Receipt CreateReceipt(ulong leafIndex, SignedTreeHead treeHead)
    {
        ArgumentNullException.ThrowIfNull(treeHead);
        CheckSize(treeHead.TreeSize);
        CheckIndex(leafIndex, treeHead.TreeSize);
        var root = RootAt(treeHead.TreeSize);
        if (!treeHead.RootHash.SequenceEqual(root))
        {
            throw new ArgumentException($"The tree head's root is not this log's root at {treeHead.TreeSize.ToString(CultureInfo.InvariantCulture)} leaves.", nameof(treeHead));
        }

        return new Receipt(ReadLeaf(leafIndex), leafIndex, treeHead.TreeSize, ProveInclusion(leafIndex, treeHead.TreeSize), root, treeHead);
    }

    /// <summary>
    /// Reads the whole log and checks that the journal, the index and every stored hash agree with each other;
    /// throws <see cref="LedgerDamagedException"/> at the first disagreement. Costs a full read: for audits and tests.
    /// </summary>
    public void VerifyIntegrity()
    {
        var head = Head;
        var size = head.TreeSize;
        var reader = new JournalReader(_journal, LogFormat.JournalHeaderSize, long.MaxValue);
        var frontier = new CompactRange();
        var completed = new byte[CompactRange.MaxCompletedNodes * Merkle.HashSize];
        var stored = new byte[completed.Length];
        Span<byte> entry = stackalloc byte[LogFormat.IndexEntrySize];
        long nodePosition = 0;
        for (ulong i = 0; i < size; i++)
        {
            var offset = reader.Position;
            if (!reader.TryRead(out _, out var leafHash))
            {
                throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"leaf {i} of {size} cannot be read from the journal: {reader.Problem ?? "it ends early"}"));
            }

            ReadExactly(_index, entry, (long)i * LogFormat.IndexEntrySize);
            if (BinaryPrimitives.ReadInt64BigEndian(entry) != offset)
            {
                throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"the index points leaf {i} to the wrong journal offset"));
            }

            var count = frontier.Append(leafHash, completed) * Merkle.HashSize;
            ReadExactly(_nodes, stored.AsSpan(0, count), nodePosition);
            if (!stored.AsSpan(0, count).SequenceEqual(completed.AsSpan(0, count)))
            {
                throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"a stored hash completed by leaf {i} does not match the journal"));
            }

            nodePosition += count;
        }

        Span<byte> root = stackalloc byte[Merkle.HashSize];
        frontier.Root(root);
        if (!root.SequenceEqual(head.RootHash))
        {
            throw new LedgerDamagedException("the log's root does not match its leaves");
        }
    }

    public void Dispose()
    {
        if (Stop())
        {
            _writer.Join();
            CloseFiles();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Stop())
        {
            await _stopped.Task.ConfigureAwait(false);
            _writer.Join();
            CloseFiles();
        }
    }

    private static SafeFileHandle OpenFile(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        try
        {
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"cannot open {path}: {ex.Message} A ledger can be open in one process at a time.", ex);
        }
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            var read = RandomAccess.Read(file, destination, offset);
            if (read == 0)
            {
                throw new LedgerDamagedException("a ledger file ends before data it should hold");
            }

            destination = destination[read..];
            offset += read;
        }
    }

    private static IOException Stopped(Exception fault) =>
        new("the ledger stopped appending after a write failed; reopen it to recover: " + fault.Message, fault);

    private static void CheckIndex(ulong leafIndex, ulong treeSize)
    {
        if (leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), leafIndex, $"The tree has {treeSize.ToString(CultureInfo.InvariantCulture)} leaves.");
        }
    }

    private void CheckSize(ulong treeSize)
    {
        var size = Size;
        if (treeSize > size)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), treeSize, $"The log has {size.ToString(CultureInfo.InvariantCulture)} durable leaves.");
        }
    }

    private void Recover(bool createdFolder)
    {
        ulong leafCount = 0;
        long journalStart = LogFormat.JournalHeaderSize;
        var checkpoint = Path.Combine(_folder, LogFormat.CheckpointFile);
        File.Delete(checkpoint + ".tmp");
        if (File.Exists(checkpoint))
        {
            (leafCount, journalStart) = LogFormat.DecodeCheckpoint(File.ReadAllBytes(checkpoint), checkpoint);
        }

        var journalLength = RandomAccess.GetLength(_journal);
        Span<byte> header = stackalloc byte[LogFormat.JournalHeaderSize];
        if (journalLength < LogFormat.JournalHeaderSize && leafCount == 0)
        {
            // A new log, or one whose creator died before its header was on disk.
            LogFormat.WriteJournalHeader(header);
            RandomAccess.Write(_journal, header, 0);
            RandomAccess.FlushToDisk(_journal);
            Posix.SyncDirectory(_folder);
            if (createdFolder && Path.GetDirectoryName(_folder) is { } parent)
            {
                Posix.SyncDirectory(parent);
            }

            journalLength = LogFormat.JournalHeaderSize;
        }
        else
        {
            if (journalLength < LogFormat.JournalHeaderSize || RandomAccess.Read(_journal, header, 0) != header.Length || !LogFormat.IsJournalHeader(header))
            {
                throw new LedgerDamagedException($"{Path.Combine(_folder, LogFormat.JournalFile)} is not a ledger journal");
            }
        }

        _nodesLength = (long)LogFormat.NodeCount(leafCount) * Merkle.HashSize;
        _indexLength = (long)leafCount * LogFormat.IndexEntrySize;
        if (journalStart > journalLength || RandomAccess.GetLength(_nodes) < _nodesLength || RandomAccess.GetLength(_index) < _indexLength)
        {
            throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"the ledger in {_folder} holds less than its checkpoint says ({leafCount} leaves)"));
        }

        // Past the checkpoint the derived files may be torn; they are rebuilt from the journal.
        RandomAccess.SetLength(_nodes, _nodesLength);
        RandomAccess.SetLength(_index, _indexLength);
        _frontier = CompactRange.Load(_nodeFile, leafCount);
        _appended = leafCount;
        _checkpointed = leafCount;
        _journalLength = journalStart;

        var reader = new JournalReader(_journal, journalStart, journalLength);
        while (true)
        {
            var offset = reader.Position;
            if (!reader.TryRead(out _, out var leafHash))
            {
                break;
            }

            Derive(leafHash, offset);
            _journalLength = reader.Position;
            if (_nodesBuffer.WrittenCount + _indexBuffer.WrittenCount > ReplayFlushBytes)
            {
                WriteDerived();
            }
        }

        WriteDerived();
        if (_journalLength < journalLength)
        {
            // Only the last batch can be torn; more than a batch of bad bytes is damage, and cutting it would lose acknowledged leaves.
            if (journalLength - _journalLength > MaxBatchBytes)
            {
                throw new LedgerDamagedException(string.Create(CultureInfo.InvariantCulture, $"the journal in {_folder} is unreadable from offset {_journalLength} ({reader.Problem}) with {journalLength - _journalLength} bytes after it: more than a torn last batch"));
            }

            RandomAccess.SetLength(_journal, _journalLength);
            RandomAccess.FlushToDisk(_journal);
        }

        Publish();
    }

    private void WriteLoop()
    {
        var batch = new List<PendingAppend>();
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0 && !_closing)
                {
                    Monitor.Wait(_gate);
                }

                if (_queue.Count == 0)
                {
                    break;
                }

                var leaves = 0;
                long bytes = 0;
                while (_queue.TryPeek(out var next)
                    && (batch.Count == 0 || (leaves + next.Leaves.Count <= _options.MaxBatchLeaves && bytes + next.Bytes <= MaxBatchBytes)))
                {
                    batch.Add(_queue.Dequeue());
                    leaves += next.Leaves.Count;
                    bytes += next.Bytes;
                }
            }

            try
            {
                Commit(batch);
                foreach (var pending in batch)
                {
                    pending.Completion.SetResult(pending.FirstIndex);
                }
            }
            catch (Exception ex)
            {
                Fail(batch, ex);
            }

            batch.Clear();
        }

        try
        {
            if (_fault is null && _appended > _checkpointed)
            {
                Checkpoint();
            }
        }
        catch (Exception)
        {
            // Harmless: the next open replays the journal written since the previous checkpoint.
        }
        finally
        {
            _stopped.SetResult();
        }
    }

    private void Commit(List<PendingAppend> batch)
    {
        Span<byte> leafHash = stackalloc byte[Merkle.HashSize];
        foreach (var pending in batch)
        {
            pending.FirstIndex = _appended;
            for (var i = 0; i < pending.Leaves.Count; i++)
            {
                var leaf = pending.Leaves[i].Span;
                var offset = _journalLength + _journalBuffer.WrittenCount;
                var record = _journalBuffer.GetSpan(LogFormat.RecordOverhead + leaf.Length);
                BinaryPrimitives.WriteUInt32BigEndian(record, (uint)leaf.Length);
                leaf.CopyTo(record[4..]);
                Merkle.HashLeaf(leaf, leafHash);
                leafHash[..LogFormat.CheckSize].CopyTo(record[(4 + leaf.Length)..]);
                _journalBuffer.Advance(LogFormat.RecordOverhead + leaf.Length);
                Derive(leafHash, offset);
            }
        }

        RandomAccess.Write(_journal, _journalBuffer.WrittenSpan, _journalLength);
        WriteDerived();
        RandomAccess.FlushToDisk(_journal);
        _journalLength += _journalBuffer.WrittenCount;
        _journalBuffer.ResetWrittenCount();
        Publish();
        if (_appended - _checkpointed >= (ulong)_options.CheckpointInterval)
        {
            Checkpoint();
        }
    }

    /// <summary>Adds a leaf to the frontier and queues the hashes and index entry it adds to the derived files.</summary>
    private void Derive(ReadOnlySpan<byte> leafHash, long journalOffset)
    {
        var count = _frontier.Append(leafHash, _completed) * Merkle.HashSize;
        _completed.AsSpan(0, count).CopyTo(_nodesBuffer.GetSpan(count));
        _nodesBuffer.Advance(count);
        BinaryPrimitives.WriteInt64BigEndian(_indexBuffer.GetSpan(LogFormat.IndexEntrySize), journalOffset);
        _indexBuffer.Advance(LogFormat.IndexEntrySize);
        _appended++;
    }

    private void WriteDerived()
    {
        RandomAccess.Write(_nodes, _nodesBuffer.WrittenSpan, _nodesLength);
        _nodesLength += _nodesBuffer.WrittenCount;
        _nodesBuffer.ResetWrittenCount();
        RandomAccess.Write(_index, _indexBuffer.WrittenSpan, _indexLength);
        _indexLength += _indexBuffer.WrittenCount;
        _indexBuffer.ResetWrittenCount();
    }

    private void Publish()
    {
        Span<byte> root = stackalloc byte[Merkle.HashSize];
        _frontier.Root(root);
        Volatile.Write(ref _head, new TreeHead(_appended, root));
    }

    /// <summary>Makes the derived files durable up to now, then records that; a rename makes the record appear whole or not at all.</summary>
    private void Checkpoint()
    {
        RandomAccess.FlushToDisk(_nodes);
        RandomAccess.FlushToDisk(_index);
        var path = Path.Combine(_folder, LogFormat.CheckpointFile);
        var temporary = path + ".tmp";
        using (var file = File.OpenHandle(temporary, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(file, LogFormat.EncodeCheckpoint(_appended, _journalLength), 0);
            RandomAccess.FlushToDisk(file);
        }

        // No fsync of the folder: should the rename be lost, the previous checkpoint is still true, only older.
        File.Move(temporary, path, overwrite: true);
        _checkpointed = _appended;
    }

    private void Fail(List<PendingAppend> batch, Exception fault)
    {
        List<PendingAppend> waiting;
        lock (_gate)
        {
            _fault = fault;
            waiting = [.. batch, .. _queue];
            _queue.Clear();
        }

        foreach (var pending in waiting)
        {
            pending.Completion.TrySetException(Stopped(fault));
        }
    }

    private bool Stop()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            _closing = true;
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    private void CloseFiles()
    {
        _index.Dispose();
        _nodes.Dispose();
        _journal.Dispose();
    }

    private sealed class PendingAppend(IReadOnlyList<ReadOnlyMemory<byte>> leaves, long bytes)
    {
        public IReadOnlyList<ReadOnlyMemory<byte>> Leaves { get; } = leaves;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource<ulong> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ulong FirstIndex { get; set; }
    }

    /// <summary>Stored perfect subtrees, read straight from the nodes file at their computed post-order place.</summary>
    private sealed class NodeFile(SafeFileHandle nodes) : INodeReader
    {
        public void ReadNode(int level, ulong index, Span<byte> destination) =>
            ReadExactly(nodes, destination[..Merkle.HashSize], (long)LogFormat.NodePosition(level, index) * Merkle.HashSize);
    }
}

/// <summary>The log's files contradict each other in a way no crash can cause: restore them from a backup.</summary>
public sealed class LedgerDamagedException : IOException
{
    public LedgerDamagedException()
    {
    }

    public LedgerDamagedException(string message)
        : base(message)
    {
    }

    public LedgerDamagedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
