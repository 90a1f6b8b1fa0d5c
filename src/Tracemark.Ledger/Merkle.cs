using System.Buffers;
using System.Security.Cryptography;

namespace Tracemark.Ledger;

/// <summary>
/// Merkle tree hashing and proof verification exactly as RFC 9162 §2.1 (and RFC 6962 §2.1) define them,
/// with SHA-256: leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right).
/// </summary>
public static class Merkle
{
    public const int HashSize = 32;

    // Leaves up to this size are prefixed on the stack; larger ones borrow a pooled buffer.
    private const int StackLeafLimit = 1024;

    /// <summary>The root of the empty tree: SHA-256 of no bytes.</summary>
    public static ReadOnlySpan<byte> EmptyRoot =>
    [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ];

    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var hash = new byte[HashSize];
        HashLeaf(leaf, hash);
        return hash;
    }

    public static void HashLeaf(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        var length = leaf.Length + 1;
        byte[]? rented = null;
        var buffer = length <= StackLeafLimit ? stackalloc byte[StackLeafLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        buffer[0] = 0x00;
        leaf.CopyTo(buffer[1..]);
        SHA256.HashData(buffer[..length], destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right); <paramref name="destination"/> may be one of the inputs.</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != HashSize || right.Length != HashSize)
        {
            throw new ArgumentException("Merkle children are 32-byte SHA-256 hashes.", left.Length != HashSize ? nameof(left) : nameof(right));
        }

        Span<byte> buffer = stackalloc byte[1 + (2 * HashSize)];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        SHA256.HashData(buffer, destination);
    }

    /// <summary>
    /// Checks that <paramref name="proof"/> (the sibling hashes from the leaf upwards) leads from the leaf hash at
    /// <paramref name="leafIndex"/> to <paramref name="rootHash"/> of a tree of <paramref name="treeSize"/> leaves
    /// (RFC 9162 §2.1.3.2).
    /// </summary>
    public static VerificationResult VerifyInclusion(ulong leafIndex, ulong treeSize, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]>? proof, ReadOnlySpan<byte> rootHash)
    {
        proof ??= [];
        if (leafIndex >= treeSize)
        {
            return VerificationResult.Fail($"leaf index {Number(leafIndex)} is not inside a tree of {Number(treeSize)} leaves");
        }

        if (CheckHashes(leafHash, rootHash, proof) is { } malformed)
        {
            return malformed;
        }

        Span<byte> r = stackalloc byte[HashSize];
        leafHash.CopyTo(r);
        var fn = leafIndex;
        var sn = treeSize - 1;
        for (var i = 0; i < proof.Count; i++)
        {
            if (sn == 0)
            {
                return WrongInclusionLength(leafIndex, treeSize, proof.Count);
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                HashChildren(proof[i], r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                HashChildren(r, proof[i], r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return WrongInclusionLength(leafIndex, treeSize, proof.Count);
        }

        return r.SequenceEqual(rootHash)
            ? VerificationResult.Valid
            : VerificationResult.Fail($"the inclusion proof leads to root {Hex(r)}, not to {Hex(rootHash)}");
    }

    /// <summary>
    /// Checks that the tree of <paramref name="size2"/> leaves with root <paramref name="root2"/> is the tree of
    /// <paramref name="size1"/> leaves with root <paramref name="root1"/> with leaves appended and nothing else
    /// changed (RFC 9162 §2.1.4.2). The RFC defines proofs for 0 &lt; size1 &lt; size2; equal sizes hold when the
    /// roots are equal and the proof is empty; a proof from the empty tree proves nothing and never holds.
    /// </summary>
    public static VerificationResult VerifyConsistency(ulong size1, ulong size2, IReadOnlyList<byte[]>? proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        proof ??= [];
        if (size1 > size2)
        {
            return VerificationResult.Fail($"the older tree ({Number(size1)} leaves) is larger than the newer one ({Number(size2)} leaves)");
        }

        if (size1 == 0)
        {
            return VerificationResult.Fail($"a consistency proof from the empty tree proves nothing");
        }

        if (size1 == size2)
        {
            if (proof.Count != 0)
            {
                return VerificationResult.Fail($"trees of equal size need an empty consistency proof");
            }

            return root1.SequenceEqual(root2)
                ? VerificationResult.Valid
                : VerificationResult.Fail($"two different roots for the same tree of {Number(size1)} leaves: {Hex(root1)} and {Hex(root2)}");
        }

        if (CheckHashes(root1, root2, proof) is { } malformed)
        {
            return malformed;
        }

        if (proof.Count == 0)
        {
            return WrongConsistencyLength(size1, size2, 0);
        }

        // When size1 is a power of two the older root is itself a node of the newer tree, so the proof leaves it out.
        var offset = ulong.IsPow2(size1) ? 1 : 0;
        var first = offset == 1 ? root1 : proof[0];
        Span<byte> fr = stackalloc byte[HashSize];
        Span<byte> sr = stackalloc byte[HashSize];
        first.CopyTo(fr);
        first.CopyTo(sr);
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        for (var i = 1 - offset; i < proof.Count; i++)
        {
            if (sn == 0)
            {
                return WrongConsistencyLength(size1, size2, proof.Count);
            }

            var c = proof[i];
            if ((fn & 1) == 1 || fn == sn)
            {
                HashChildren(c, fr, fr);
                HashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return WrongConsistencyLength(size1, size2, proof.Count);
        }

        if (!fr.SequenceEqual(root1))
        {
            return VerificationResult.Fail($"the consistency proof rebuilds the older root as {Hex(fr)}, not {Hex(root1)}");
        }

        return sr.SequenceEqual(root2)
            ? VerificationResult.Valid
            : VerificationResult.Fail($"the consistency proof rebuilds the newer root as {Hex(sr)}, not {Hex(root2)}");
    }

    /// <summary>The Merkle tree hash of a list of leaf hashes, computed from scratch (RFC 9162 §2.1.1).</summary>
    public static byte[] ComputeRoot(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var range = new CompactRange();
        for (var i = 0; i < leafHashes.Count; i++)
        {
            range.Append(leafHashes[i]);
        }

        var root = new byte[HashSize];
        range.Root(root);
        return root;
    }

    private static VerificationResult WrongInclusionLength(ulong leafIndex, ulong treeSize, int count) =>
        VerificationResult.Fail($"the inclusion proof has {count} hashes; leaf {Number(leafIndex)} of a tree of {Number(treeSize)} leaves needs {ProofPlan.InclusionLength(leafIndex, treeSize)}");

    private static VerificationResult WrongConsistencyLength(ulong size1, ulong size2, int count) =>
        VerificationResult.Fail($"the consistency proof has {count} hashes; from {Number(size1)} to {Number(size2)} leaves needs {ProofPlan.ConsistencyLength(size1, size2)}");

    private static VerificationResult? CheckHashes(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, IReadOnlyList<byte[]> proof)
    {
        if (first.Length != HashSize || second.Length != HashSize)
        {
            return VerificationResult.Fail($"a hash is not 32 bytes long");
        }

        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is not { Length: HashSize })
            {
                return VerificationResult.Fail($"proof hash {i} is not 32 bytes long");
            }
        }

        return null;
    }

    internal static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    internal static string Number(ulong value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Whether a proof or signature holds, and if not, why, in one sentence.</summary>
public sealed class VerificationResult
{
    public static readonly VerificationResult Valid = new(null);

    private VerificationResult(string? failure) => Failure = failure;

    public bool IsValid => Failure is null;

    public string? Failure { get; }

    public override string ToString() => Failure ?? "valid";

    internal static VerificationResult Fail(FormattableString failure) => new(FormattableString.Invariant(failure));
}
