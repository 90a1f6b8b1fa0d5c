using System.Diagnostics;
using System.Numerics;

namespace Tracemark.Ledger;

/// <summary>
/// Where a tree keeps its hashes: the perfect subtree of 2^level leaves that starts at leaf index × 2^level.
/// Every other node of an RFC 9162 tree (those on the right edge of a tree whose size is not a power of two)
/// is computed from these.
/// </summary>
internal interface INodeReader
{
    void ReadNode(int level, ulong index, Span<byte> destination);
}

/// <summary>
/// Proof generation (RFC 9162 §2.1.3.1 PATH and §2.1.4.1 PROOF/SUBPROOF) turned from recursion over leaf lists
/// into a list of leaf ranges whose hashes the proof carries, so that each hash is read from stored perfect
/// subtrees instead of recomputed from leaves.
/// </summary>
internal static class ProofPlan
{
    // A proof holds at most one hash per level of a 2^64-leaf tree, plus the consistency proof's starting node.
    private const int MaxRanges = 65;

    // At most one perfect subtree per bit of a 64-bit tree size.
    private const int MaxPerfectSubtrees = 64;

    public static int InclusionLength(ulong leafIndex, ulong treeSize)
    {
        Span<LeafRange> ranges = stackalloc LeafRange[MaxRanges];
        return leafIndex < treeSize ? PlanInclusion(leafIndex, treeSize, ranges) : 0;
    }

    public static int ConsistencyLength(ulong size1, ulong size2)
    {
        Span<LeafRange> ranges = stackalloc LeafRange[MaxRanges];
        return 0 < size1 && size1 <= size2 ? PlanConsistency(size1, size2, ranges) : 0;
    }

    public static byte[][] Inclusion(INodeReader reader, ulong leafIndex, ulong treeSize)
    {
        if (leafIndex >= treeSize)
        {
            throw new ArgumentOutOfRangeException(nameof(leafIndex), $"leaf {leafIndex} is not inside a tree of {treeSize} leaves");
        }

        Span<LeafRange> ranges = stackalloc LeafRange[MaxRanges];
        return Read(reader, ranges[..PlanInclusion(leafIndex, treeSize, ranges)]);
    }

    public static byte[][] Consistency(INodeReader reader, ulong size1, ulong size2)
    {
        if (size1 == 0 || size1 > size2)
        {
            throw new ArgumentOutOfRangeException(nameof(size1), $"consistency proofs exist from 0 < size1 <= size2, not from {size1} to {size2}");
        }

        Span<LeafRange> ranges = stackalloc LeafRange[MaxRanges];
        return Read(reader, ranges[..PlanConsistency(size1, size2, ranges)]);
    }

    public static void Root(INodeReader reader, ulong treeSize, Span<byte> destination)
    {
        if (treeSize == 0)
        {
            Merkle.EmptyRoot.CopyTo(destination);
        }
        else
        {
            RangeHash(reader, new LeafRange(0, treeSize), destination);
        }
    }

    /// <summary>Sibling ranges from the leaf upwards, the order of RFC 9162's PATH(m, D[n]).</summary>
    private static int PlanInclusion(ulong m, ulong n, Span<LeafRange> ranges)
    {
        // Walk down from the root, noting each sibling; the proof lists them bottom-up, hence the reversal.
        var count = 0;
        ulong start = 0;
        while (n > 1)
        {
            var k = LargestPowerOfTwoBelow(n);
            if (m < k)
            {
                ranges[count++] = new LeafRange(start + k, start + n);
                n = k;
            }
            else
            {
                ranges[count++] = new LeafRange(start, start + k);
                m -= k;
                start += k;
                n -= k;
            }
        }

        ranges[..count].Reverse();
        return count;
    }

    /// <summary>Ranges in the order of RFC 9162's PROOF(m, D[n]) = SUBPROOF(m, D[n], true).</summary>
    private static int PlanConsistency(ulong m, ulong n, Span<LeafRange> ranges)
    {
        // Siblings go after slot 0, which is kept for the subtree where the recursion ends, needed when the
        // verifier does not already know its hash (the older root, known only while the walk never went right).
        var count = 1;
        ulong start = 0;
        var known = true;
        while (m != n)
        {
            var k = LargestPowerOfTwoBelow(n);
            if (m <= k)
            {
                ranges[count++] = new LeafRange(start + k, start + n);
                n = k;
            }
            else
            {
                ranges[count++] = new LeafRange(start, start + k);
                m -= k;
                start += k;
                n -= k;
                known = false;
            }
        }

        ranges[1..count].Reverse();
        if (known)
        {
            ranges[1..count].CopyTo(ranges);
            return count - 1;
        }

        ranges[0] = new LeafRange(start, start + n);
        return count;
    }

    private static byte[][] Read(INodeReader reader, ReadOnlySpan<LeafRange> ranges)
    {
        var proof = new byte[ranges.Length][];
        for (var i = 0; i < ranges.Length; i++)
        {
            proof[i] = new byte[Merkle.HashSize];
            RangeHash(reader, ranges[i], proof[i]);
        }

        return proof;
    }

    /// <summary>
    /// MTH of a range that is a node of the tree: it starts at a multiple of a power of two at least as large as
    /// itself, so it splits into perfect subtrees of decreasing size that the RFC's recursion folds right to left.
    /// </summary>
    private static void RangeHash(INodeReader reader, LeafRange range, Span<byte> destination)
    {
        Span<byte> nodes = stackalloc byte[MaxPerfectSubtrees * Merkle.HashSize];
        var count = 0;
        var position = range.Start;
        while (position < range.End)
        {
            var level = BitOperations.Log2(range.End - position);
            Debug.Assert(position % (1UL << level) == 0, "proof ranges are nodes of the tree");
            reader.ReadNode(level, position >> level, nodes.Slice(count * Merkle.HashSize, Merkle.HashSize));
            count++;
            position += 1UL << level;
        }

        var hash = nodes.Slice((count - 1) * Merkle.HashSize, Merkle.HashSize);
        for (var i = count - 2; i >= 0; i--)
        {
            Merkle.HashChildren(nodes.Slice(i * Merkle.HashSize, Merkle.HashSize), hash, hash);
        }

        hash.CopyTo(destination);
    }

    /// <summary>The k of RFC 9162: the largest power of two smaller than n (n &gt; 1).</summary>
    private static ulong LargestPowerOfTwoBelow(ulong n) => 1UL << BitOperations.Log2(n - 1);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Auto)]
    private readonly record struct LeafRange(ulong Start, ulong End);
}
