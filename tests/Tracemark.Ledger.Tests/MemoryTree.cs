namespace Tracemark.Ledger.Tests;

/// <summary>A whole tree in memory, built by the library's own frontier, to generate proofs in tests.</summary>
internal sealed class MemoryTree : INodeReader
{
    private readonly List<List<byte[]>> _levels = [];
    private readonly CompactRange _frontier = new();
    private readonly byte[] _completed = new byte[CompactRange.MaxCompletedNodes * Merkle.HashSize];

    public MemoryTree(IEnumerable<byte[]> leaves)
    {
        foreach (var leaf in leaves)
        {
            Append(leaf);
        }
    }

    public List<byte[]> LeafHashes { get; } = [];

    public ulong Size => _frontier.Size;

    public void Append(byte[] leaf)
    {
        var hash = Merkle.HashLeaf(leaf);
        LeafHashes.Add(hash);
        var count = _frontier.Append(hash, _completed);
        for (var level = 0; level < count; level++)
        {
            if (_levels.Count == level)
            {
                _levels.Add([]);
            }

            _levels[level].Add(_completed.AsSpan(level * Merkle.HashSize, Merkle.HashSize).ToArray());
        }
    }

    public byte[] Root()
    {
        var root = new byte[Merkle.HashSize];
        _frontier.Root(root);
        return root;
    }

    public byte[] RootAt(ulong size)
    {
        var root = new byte[Merkle.HashSize];
        ProofPlan.Root(this, size, root);
        return root;
    }

    public byte[][] Inclusion(ulong index, ulong size) => ProofPlan.Inclusion(this, index, size);

    public byte[][] Consistency(ulong size1, ulong size2) => ProofPlan.Consistency(this, size1, size2);

    public void ReadNode(int level, ulong index, Span<byte> destination) => _levels[level][checked((int)index)].CopyTo(destination);
}
