namespace Tracemark.Ledger;

/// <summary>
/// Subtree proofs of the Merkle Tree Certificates draft (draft-ietf-plants-merkle-tree-certs §4), which the shared
/// test vectors also cover. A valid subtree [start, end) starts at a multiple of BIT_CEIL(end − start), so its
/// leaves form a tree of their own: its inclusion proofs are RFC 9162 inclusion proofs inside that tree, and a
/// subtree starting at 0 is the log at size end, whose consistency proof is RFC 9162's. Subtrees that start later
/// need the draft's own consistency algorithm, which this log has no use for and does not implement.
/// </summary>
internal static class Subtrees
{
    public static bool IsValid(ulong start, ulong end)
    {
        if (start >= end)
        {
            return false;
        }

        var size = end - start;
        // BIT_CEIL of sizes above 2^63 is 2^64, of which only 0 is a multiple below 2^64.
        return size > 1UL << 63 ? start == 0 : start % System.Numerics.BitOperations.RoundUpToPowerOf2(size) == 0;
    }

    public static VerificationResult VerifyInclusion(ulong leafIndex, ulong start, ulong end, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]>? proof, ReadOnlySpan<byte> subtreeHash)
    {
        if (!IsValid(start, end))
        {
            return VerificationResult.Fail($"[{start}, {end}) is not a valid subtree");
        }

        if (leafIndex < start || leafIndex >= end)
        {
            return VerificationResult.Fail($"leaf {leafIndex} is outside the subtree [{start}, {end})");
        }

        return Merkle.VerifyInclusion(leafIndex - start, end - start, leafHash, proof, subtreeHash);
    }

    public static VerificationResult VerifyConsistency(ulong start, ulong end, ulong treeSize, IReadOnlyList<byte[]>? proof, ReadOnlySpan<byte> subtreeHash, ReadOnlySpan<byte> rootHash)
    {
        if (start > end || end > treeSize)
        {
            return VerificationResult.Fail($"[{start}, {end}) is not a subtree of a tree of {treeSize} leaves");
        }

        if (start == end)
        {
            // Every tree contains the empty subtree; all there is to check is that it was described correctly.
            return (proof is null || proof.Count == 0) && subtreeHash.SequenceEqual(Merkle.EmptyRoot)
                ? VerificationResult.Valid
                : VerificationResult.Fail($"an empty subtree has the empty tree's hash and an empty proof");
        }

        if (!IsValid(start, end))
        {
            return VerificationResult.Fail($"[{start}, {end}) is not a valid subtree");
        }

        if (start != 0)
        {
            throw new NotSupportedException("Consistency proofs of subtrees that do not start at leaf 0 are not implemented.");
        }

        return Merkle.VerifyConsistency(end, treeSize, proof, subtreeHash, rootHash);
    }
}
