using System.Text.Json;

namespace Tracemark.Ledger.Tests;

/// <summary>
/// Every file of ../shared/data/merkle-vectors (transparency-dev/merkle's test data), read where it lies: each
/// must verify exactly when it says it should, and every happy path's proof must be the one this library generates.
/// </summary>
public sealed class VectorTests
{
    private const string Absent = "(absent)";

    public static TheoryData<string> Inclusion => Files("inclusion");

    public static TheoryData<string> Consistency => Files("consistency");

    public static TheoryData<string> SubtreeInclusion => Files("subtreeinclusion");

    public static TheoryData<string> SubtreeConsistency => Files("subtreeconsistency");

    [Theory]
    [MemberData(nameof(Inclusion))]
    public void Inclusion_vector(string file)
    {
        var v = Load(file);
        var result = Merkle.VerifyInclusion(v.UInt64("leafIdx"), v.UInt64("treeSize"), v.Bytes("leafHash"), v.Proof(), v.Bytes("root"));

        Assert.True(result.IsValid != v.WantErr, $"{v.Description}: {result}");
        if (v.IsHappyPath)
        {
            Assert.True(KnownTree.RootIs(v.UInt64("treeSize"), v.Bytes("root")));
            AssertSameHashes(v.Proof(), KnownTree.Tree.Inclusion(v.UInt64("leafIdx"), v.UInt64("treeSize")));
        }
    }

    [Theory]
    [MemberData(nameof(Consistency))]
    public void Consistency_vector(string file)
    {
        var v = Load(file);
        var result = Merkle.VerifyConsistency(v.UInt64("size1"), v.UInt64("size2"), v.Proof(), v.Bytes("root1"), v.Bytes("root2"));

        Assert.True(result.IsValid != v.WantErr, $"{v.Description}: {result}");
        if (v.IsHappyPath)
        {
            Assert.True(KnownTree.RootIs(v.UInt64("size2"), v.Bytes("root2")));
            AssertSameHashes(v.Proof(), KnownTree.Tree.Consistency(v.UInt64("size1"), v.UInt64("size2")));
        }
    }

    [Theory]
    [MemberData(nameof(SubtreeInclusion))]
    public void Subtree_inclusion_vector(string file)
    {
        var v = Load(file);
        var (index, start, end) = (v.UInt64("leafIdx"), v.UInt64("start"), v.UInt64("end"));
        var result = Subtrees.VerifyInclusion(index, start, end, v.Bytes("leafHash"), v.Proof(), v.Bytes("root"));

        Assert.True(result.IsValid != v.WantErr, $"{v.Description}: {result}");
        if (v.IsHappyPath)
        {
            // The subtree's leaves are the known leaves, wherever in a larger log the subtree sits.
            Assert.True(KnownTree.RootIs(end - start, v.Bytes("root")));
            AssertSameHashes(v.Proof(), KnownTree.Tree.Inclusion(index - start, end - start));
        }
    }

    [Theory]
    [MemberData(nameof(SubtreeConsistency))]
    public void Subtree_consistency_vector(string file)
    {
        var v = Load(file);
        var (start, end, size) = (v.UInt64("start"), v.UInt64("end"), v.UInt64("size"));
        var result = Subtrees.VerifyConsistency(start, end, size, v.Proof(), v.Bytes("root1"), v.Bytes("root2"));

        Assert.True(result.IsValid != v.WantErr, $"{v.Description}: {result}");
        if (v.IsHappyPath)
        {
            Assert.True(start == 0 && KnownTree.RootIs(size, v.Bytes("root2")));
            AssertSameHashes(v.Proof(), KnownTree.Tree.Consistency(end, size));
        }
    }

    [Fact]
    public void Roots_of_the_known_leaves_for_every_size_from_0_to_8()
    {
        Assert.SkipWhen(SharedData.Folder is null, SharedData.SkipReason);
        var roots = KnownTree.Roots;
        Assert.Equal(9, roots.Count);
        for (var size = 0; size < roots.Count; size++)
        {
            var leafHashes = KnownTree.Tree.LeafHashes.Take(size).ToList();
            Assert.Equal(roots[size], Merkle.ComputeRoot(leafHashes));
            Assert.Equal(roots[size], KnownTree.Tree.RootAt((ulong)size));
        }
    }

    [Fact]
    public void Every_vector_file_is_covered()
    {
        Assert.SkipWhen(SharedData.Folder is null, SharedData.SkipReason);
        var covered = new[] { "inclusion", "consistency", "subtreeinclusion", "subtreeconsistency" }.Sum(kind => Files(kind).Count);
        var all = Directory.GetFiles(SharedData.MerkleVectors, "*.json", SearchOption.AllDirectories).Length;
        Assert.Equal(all - 1, covered); // all but roots.json
        Assert.True(covered >= 500, $"only {covered} vectors found");
    }

    private static void AssertSameHashes(IReadOnlyList<byte[]> expected, IReadOnlyList<byte[]> actual) =>
        Assert.Equal(expected.Select(Convert.ToHexString), actual.Select(Convert.ToHexString));

    private static TheoryData<string> Files(string kind)
    {
        if (SharedData.Folder is null)
        {
            return new TheoryData<string>(Absent);
        }

        var folder = Path.Combine(SharedData.MerkleVectors, kind);
        return new TheoryData<string>(Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SharedData.MerkleVectors, f))
            .Order(StringComparer.Ordinal));
    }

    private static Vector Load(string file)
    {
        Assert.SkipWhen(file == Absent, SharedData.SkipReason);
        return new Vector(JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.MerkleVectors, file))).RootElement);
    }

    private sealed class Vector(JsonElement json)
    {
        public bool WantErr => json.GetProperty("wantErr").GetBoolean();

        public string Description => json.GetProperty("desc").GetString()!;

        public bool IsHappyPath => Description.StartsWith("happy path", StringComparison.Ordinal);

        public ulong UInt64(string name) => json.GetProperty(name).GetUInt64();

        public byte[] Bytes(string name) => json.GetProperty(name).GetBytesFromBase64();

        public List<byte[]> Proof() => json.GetProperty("proof") is { ValueKind: JsonValueKind.Array } proof
            ? [.. proof.EnumerateArray().Select(p => p.GetBytesFromBase64())]
            : [];
    }

    /// <summary>The tree of roots.json, whose leaves are also those of the proof vectors' happy paths.</summary>
    private static class KnownTree
    {
        private static readonly Lazy<(MemoryTree Tree, List<byte[]> Roots)> Loaded = new(() =>
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.MerkleVectors, "roots.json")));
            var leaves = json.RootElement.GetProperty("leafInputsHex").EnumerateArray().Select(l => Convert.FromHexString(l.GetString()!));
            var roots = json.RootElement.GetProperty("rootsHex").EnumerateArray().Select(r => Convert.FromHexString(r.GetString()!)).ToList();
            return (new MemoryTree(leaves), roots);
        });

        public static MemoryTree Tree => Loaded.Value.Tree;

        public static List<byte[]> Roots => Loaded.Value.Roots;

        public static bool RootIs(ulong size, byte[] root) => size < (ulong)Roots.Count && Roots[(int)size].AsSpan().SequenceEqual(root);
    }
}
