using System.Numerics;

namespace Tracemark.Ledger;

/// <summary>
/// The frontier of an append-only Merkle tree: the hashes of the perfect subtrees that cover leaves [0, size),
/// largest first, one per set bit of size. Appending a leaf merges equal-sized subtrees, so it costs O(log n)
/// hashes and never reads an old leaf; the root folds the subtrees from right to left.
/// </summary>
internal sealed class CompactRange
{
    /// <summary>Room for the nodes one append completes: the leaf and up to 64 new ancestors.</summary>
    public const int MaxCompletedNodes = 65;

    private readonly byte[] _subtrees = new byte[64 * Merkle.HashSize];
    private int _count;

    public ulong Size { get; private set; }

    /// <summary>The frontier of the first <paramref name="size"/> leaves, read from stored perfect subtrees.</summary>
    public static CompactRange Load(INodeReader reader, ulong size)
    {
        var range = new CompactRange { Size = size };
        ulong position = 0;
        for (var level = 63; level >= 0; level--)
        {
            if ((size & (1UL << level)) != 0)
            {
                reader.ReadNode(level, position >> level, range.Slot(range._count++));
                position += 1UL << level;
            }
        }

        return range;
    }

    public void Append(ReadOnlySpan<byte> leafHash) => Append(leafHash, stackalloc byte[MaxCompletedNodes * Merkle.HashSize]);

    /// <summary>
    /// Adds a leaf and writes the hashes of the nodes it completes into <paramref name="completed"/>: the leaf
    /// itself, then each new ancestor going up. That is post-order, the order a log stores its nodes in.
    /// </summary>
    /// <returns>How many nodes were written.</returns>
    public int Append(ReadOnlySpan<byte> leafHash, Span<byte> completed)
    {
        if (leafHash.Length != Merkle.HashSize)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        leafHash.CopyTo(Slot(_count++));
        leafHash.CopyTo(completed);
        var written = 1;

        // Each trailing 1 bit of the old size is a subtree as large as the one just finished: merge them.
        for (var merges = BitOperations.TrailingZeroCount(~Size); merges > 0; merges--)
        {
            _count--;
            var left = Slot(_count - 1);
            Merkle.HashChildren(left, Slot(_count), left);
            left.CopyTo(completed.Slice(written * Merkle.HashSize, Merkle.HashSize));
            written++;
        }

        Size++;
        return written;
    }

    public void Root(Span<byte> destination)
    {
        if (_count == 0)
        {
            Merkle.EmptyRoot.CopyTo(destination);
            return;
        }

        Span<byte> hash = stackalloc byte[Merkle.HashSize];
        Slot(_count - 1).CopyTo(hash);
        for (var i = _count - 2; i >= 0; i--)
        {
            Merkle.HashChildren(Slot(i), hash, hash);
        }

        hash.CopyTo(destination);
    }

    private Span<byte> Slot(int index) => _subtrees.AsSpan(index * Merkle.HashSize, Merkle.HashSize);
}
