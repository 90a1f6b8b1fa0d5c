namespace Tracemark.Ledger.Tests;

/// <summary>
/// Random trees of random sizes: every generated proof is the RFC's own (from its recursive definitions), every
/// proof verifies, and flipping any single bit of a proof hash, root, leaf hash, index or older size makes it fail.
/// The size of the tree a root belongs to is bound by the signed tree head, not by the proof: ReceiptTests flips
/// those bits. Seeds are fixed so a failure can be replayed.
/// </summary>
public sealed class ProofPropertyTests
{
    [Fact]
    public void Every_proof_of_every_tree_up_to_70_leaves_is_the_RFC_definition_and_verifies()
    {
        var random = new Random(9162);
        for (var n = 1; n <= 70; n++)
        {
            var tree = RandomTree(random, n);
            var root = tree.Root();
            Assert.Equal(Reference.Mth(tree.LeafHashes), root);
            Assert.Equal(Merkle.ComputeRoot(tree.LeafHashes), root);
            for (var m = 0; m < n; m++)
            {
                var proof = tree.Inclusion((ulong)m, (ulong)n);
                Assert.Equal(Hex(Reference.Path(m, tree.LeafHashes)), Hex(proof));
                Assert.True(Merkle.VerifyInclusion((ulong)m, (ulong)n, tree.LeafHashes[m], proof, root).IsValid);
            }

            for (var m = 1; m <= n; m++)
            {
                var proof = tree.Consistency((ulong)m, (ulong)n);
                Assert.Equal(Hex(Reference.Proof(m, tree.LeafHashes)), Hex(proof));
                Assert.True(Merkle.VerifyConsistency((ulong)m, (ulong)n, proof, tree.RootAt((ulong)m), root).IsValid, $"consistency {m} -> {n}");
            }
        }
    }

    [Fact]
    public void Proofs_in_random_large_trees_verify_against_roots_at_every_size_asked()
    {
        var random = new Random(6962);
        var tree = RandomTree(random, 5000);
        for (var i = 0; i < 400; i++)
        {
            var n = (ulong)random.Next(1, 5001);
            var m = (ulong)random.NextInt64(0, (long)n);
            var root = tree.RootAt(n);
            Assert.True(Merkle.VerifyInclusion(m, n, tree.LeafHashes[(int)m], tree.Inclusion(m, n), root).IsValid, $"inclusion {m} in {n}");
            var older = m + 1;
            Assert.True(Merkle.VerifyConsistency(older, n, tree.Consistency(older, n), tree.RootAt(older), root).IsValid, $"consistency {older} -> {n}");
        }
    }

    [Fact]
    public void Any_flipped_bit_in_an_inclusion_proof_root_leaf_or_index_fails()
    {
        var random = new Random(42);
        for (var round = 0; round < 60; round++)
        {
            var n = (ulong)random.Next(1, 300);
            var tree = RandomTree(random, (int)n);
            var m = (ulong)random.NextInt64(0, (long)n);
            var leaf = tree.LeafHashes[(int)m];
            var proof = tree.Inclusion(m, n);
            var root = tree.Root();
            Assert.True(Merkle.VerifyInclusion(m, n, leaf, proof, root).IsValid);

            for (var bit = 0; bit < 64; bit++)
            {
                AssertFails(Merkle.VerifyInclusion(m ^ (1UL << bit), n, leaf, proof, root), $"index bit {bit}");
            }

            foreach (var (flipped, what) in Flips(leaf))
            {
                AssertFails(Merkle.VerifyInclusion(m, n, flipped, proof, root), "leaf " + what);
            }

            foreach (var (flipped, what) in Flips(root))
            {
                AssertFails(Merkle.VerifyInclusion(m, n, leaf, proof, flipped), "root " + what);
            }

            for (var element = 0; element < proof.Length; element++)
            {
                foreach (var (flipped, what) in Flips(proof[element]))
                {
                    AssertFails(Merkle.VerifyInclusion(m, n, leaf, Replace(proof, element, flipped), root), $"proof[{element}] {what}");
                }
            }
        }
    }

    [Fact]
    public void Any_flipped_bit_in_a_consistency_proof_roots_or_older_size_fails()
    {
        var random = new Random(43);
        for (var round = 0; round < 60; round++)
        {
            var n = (ulong)random.Next(2, 300);
            var tree = RandomTree(random, (int)n);
            var m = (ulong)random.NextInt64(1, (long)n);
            var proof = tree.Consistency(m, n);
            var (root1, root2) = (tree.RootAt(m), tree.Root());
            Assert.True(Merkle.VerifyConsistency(m, n, proof, root1, root2).IsValid);

            for (var bit = 0; bit < 64; bit++)
            {
                AssertFails(Merkle.VerifyConsistency(m ^ (1UL << bit), n, proof, root1, root2), $"size1 bit {bit}");
            }

            foreach (var (flipped, what) in Flips(root1))
            {
                AssertFails(Merkle.VerifyConsistency(m, n, proof, flipped, root2), "root1 " + what);
            }

            foreach (var (flipped, what) in Flips(root2))
            {
                AssertFails(Merkle.VerifyConsistency(m, n, proof, root1, flipped), "root2 " + what);
            }

            for (var element = 0; element < proof.Length; element++)
            {
                foreach (var (flipped, what) in Flips(proof[element]))
                {
                    AssertFails(Merkle.VerifyConsistency(m, n, Replace(proof, element, flipped), root1, root2), $"proof[{element}] {what}");
                }
            }
        }
    }

    [Fact]
    public void A_proof_alone_does_not_fix_the_size_of_the_tree_whose_root_it_reaches()
    {
        // Leaf 0's path in a tree of 6 leaves is the same computation as in a tree of 7: the last leaves only
        // shape the right-hand sibling, which the proof supplies ready-made. So an inclusion proof checks a size
        // against nothing but the root; what ties a root to its size is the signature over both (SignedTreeHead).
        var tree = RandomTree(new Random(7), 7);
        var proof = tree.Inclusion(0, 6);
        var root6 = tree.RootAt(6);

        Assert.True(Merkle.VerifyInclusion(0, 6, tree.LeafHashes[0], proof, root6).IsValid);
        Assert.True(Merkle.VerifyInclusion(0, 7, tree.LeafHashes[0], proof, root6).IsValid);
        Assert.NotEqual(root6, tree.RootAt(7));
    }

    [Fact]
    public void Proofs_that_lose_gain_or_swap_a_hash_fail()
    {
        var random = new Random(44);
        for (var round = 0; round < 200; round++)
        {
            var n = (ulong)random.Next(3, 400);
            var tree = RandomTree(random, (int)n);
            var m = (ulong)random.NextInt64(1, (long)n);
            var inclusion = tree.Inclusion(m, n);
            var consistency = tree.Consistency(m, n);
            foreach (var changed in Mutations(inclusion, random))
            {
                AssertFails(Merkle.VerifyInclusion(m, n, tree.LeafHashes[(int)m], changed, tree.Root()), "inclusion");
            }

            foreach (var changed in Mutations(consistency, random))
            {
                AssertFails(Merkle.VerifyConsistency(m, n, changed, tree.RootAt(m), tree.Root()), "consistency");
            }
        }
    }

    internal static MemoryTree RandomTree(Random random, int size)
    {
        var leaves = new List<byte[]>(size);
        for (var i = 0; i < size; i++)
        {
            var leaf = new byte[random.Next(1, 64)];
            random.NextBytes(leaf);
            leaves.Add(leaf);
        }

        return new MemoryTree(leaves);
    }

    internal static IEnumerable<(byte[] Flipped, string What)> Flips(byte[] hash)
    {
        for (var bit = 0; bit < hash.Length * 8; bit++)
        {
            var flipped = (byte[])hash.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            yield return (flipped, $"bit {bit}");
        }
    }

    private static IEnumerable<byte[][]> Mutations(byte[][] proof, Random random)
    {
        var extra = new byte[Merkle.HashSize];
        random.NextBytes(extra);
        yield return [.. proof, extra];
        yield return [extra, .. proof];
        if (proof.Length > 0)
        {
            yield return proof[1..];
            yield return proof[..^1];
        }

        if (proof.Length > 1 && !proof[0].AsSpan().SequenceEqual(proof[1]))
        {
            yield return [proof[1], proof[0], .. proof[2..]];
        }
    }

    private static byte[][] Replace(byte[][] proof, int index, byte[] hash)
    {
        var copy = (byte[][])proof.Clone();
        copy[index] = hash;
        return copy;
    }

    private static void AssertFails(VerificationResult result, string what) =>
        Assert.False(result.IsValid, $"still verifies after flipping {what}");

    private static IEnumerable<string> Hex(IEnumerable<byte[]> hashes) => hashes.Select(Convert.ToHexString);
}
