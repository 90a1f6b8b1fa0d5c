namespace Tracemark.Ledger.Tests;

/// <summary>
/// RFC 9162 §2.1 written as literally as possible (MTH, PATH, PROOF/SUBPROOF over lists of leaf hashes), slow and
/// obviously right, to check the library's stored-node algorithms against.
/// </summary>
internal static class Reference
{
    public static byte[] Mth(IReadOnlyList<byte[]> d)
    {
        if (d.Count == 0)
        {
            return Merkle.EmptyRoot.ToArray();
        }

        if (d.Count == 1)
        {
            return d[0];
        }

        var k = LargestPowerOfTwoBelow(d.Count);
        return Node(Mth(d.Take(k).ToList()), Mth(d.Skip(k).ToList()));
    }

    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> d)
    {
        if (d.Count == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(d.Count);
        return m < k
            ? [.. Path(m, d.Take(k).ToList()), Mth(d.Skip(k).ToList())]
            : [.. Path(m - k, d.Skip(k).ToList()), Mth(d.Take(k).ToList())];
    }

    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => SubProof(m, d, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, bool b)
    {
        if (m == d.Count)
        {
            return b ? [] : [Mth(d)];
        }

        var k = LargestPowerOfTwoBelow(d.Count);
        return m <= k
            ? [.. SubProof(m, d.Take(k).ToList(), b), Mth(d.Skip(k).ToList())]
            : [.. SubProof(m - k, d.Skip(k).ToList(), false), Mth(d.Take(k).ToList())];
    }

    private static byte[] Node(byte[] left, byte[] right)
    {
        var hash = new byte[Merkle.HashSize];
        Merkle.HashChildren(left, right, hash);
        return hash;
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }
}
