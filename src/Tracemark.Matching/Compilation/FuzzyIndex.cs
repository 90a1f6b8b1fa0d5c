using System.Numerics;
using System.Runtime.InteropServices;

namespace Tracemark.Matching.Compilation;

/// <summary>A mark name that lookalikes by edit distance are searched for.</summary>
/// <param name="Mark">Index of the mark in its compiled set.</param>
/// <param name="Name">Index of the name within the mark.</param>
/// <param name="Offset">Where the name's letters start in <see cref="FuzzyIndex.Letters"/>.</param>
/// <param name="Letters">Letters of the name as they read, repeats written out: what the edit budget scales with.</param>
/// <param name="Budget">Most edits a lookalike of this name may have.</param>
/// <param name="Words">Words in the name.</param>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct FuzzyName(int Mark, int Name, int Offset, int Letters, int Budget, int Words);

/// <summary>
/// Symmetric-deletion index (the idea behind SymSpell): each name is filed under the hash of its letters and
/// of its letters with any one deleted. A text within one edit of a name shares one of those hashes with it (a
/// substitution deletes the same position on both sides, a transposition either of the two), and within two
/// edits when the edits are one on each side. Entries are grouped by hash bucket in flat arrays: a look-up is
/// a bucket read and a short scan, and a build is a counting sort.
/// </summary>
internal sealed class FuzzyIndex
{
    /// <summary>Marks with fewer letters get no edit-distance lookalikes: too many ordinary words lie one edit away.</summary>
    public const int MinLetters = 5;

    /// <summary>From this many letters on, two edits are allowed.</summary>
    public const int TwoEditLetters = 10;

    /// <summary>Longer names are found exactly or by visual tricks only.</summary>
    public const int MaxLetters = 64;

    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;

    private static readonly ulong[] Powers = BuildPowers();

    private readonly ulong[] _hashes;
    private readonly int[] _names;
    private readonly int[] _bucketStart;
    private readonly int _shift;

    // One bit per hash value modulo its size, set for every filed hash: most look-ups of text that is no
    // lookalike end on a clear bit in a table small enough to stay in cache.
    private readonly ulong[] _filter;
    private readonly int _filterShift;

    // A gate in front of the index: one edit leaves a name's first letters or its last letters as they were,
    // so a window is worth the deletion look-ups only if its word count, length and first or last letters fit
    // some name: two letters at each end for names of five or six letters, three from seven letters on (where
    // no single edit, transpositions included, can reach both ends). One bit per hashed (words, length, letters).
    private readonly ulong[] _gate = new ulong[1 << (GateBits - 6)];
    private const int GateBits = 20;
    private const int TrigramLetters = 7;

    private FuzzyIndex(FuzzyName[] names, char[] letters, ulong[] hashes, int[] entries, int[] bucketStart, int shift)
    {
        Names = names;
        Letters = letters;
        _hashes = hashes;
        _names = entries;
        _bucketStart = bucketStart;
        _shift = shift;
        var filterBits = Math.Max(6, BitOperations.Log2((uint)Math.Max(1, hashes.Length)) + 4);
        _filter = new ulong[1 << (filterBits - 6)];
        _filterShift = 64 - filterBits;
        foreach (var hash in hashes)
        {
            var bit = (int)(hash * Multiplier >> _filterShift);
            _filter[bit >> 6] |= 1UL << bit;
        }

        ShortestName = names.Length == 0 ? 0 : int.MaxValue;
        foreach (var name in names)
        {
            ShortestName = Math.Min(ShortestName, name.Letters);
            LongestName = Math.Max(LongestName, name.Letters);
            MostWords = Math.Max(MostWords, name.Words);
        }

        // A window of k words may be a name of k words with edits, or a name of k - 1 words split in two.
        foreach (var name in names)
        {
            var word = letters.AsSpan(name.Offset, name.Letters);
            var gram = name.Letters >= TrigramLetters ? 3 : 2;
            for (var length = Math.Max(0, name.Letters - name.Budget); length <= name.Letters + name.Budget; length++)
            {
                Open(name.Words, length, word[..gram], prefix: true);
                Open(name.Words, length, word[^gram..], prefix: false);
            }

            Open(name.Words + 1, name.Letters, word[..gram], prefix: true);
        }
    }

    private static int GateBit(int words, int length, ReadOnlySpan<char> letters, bool prefix)
    {
        var key = ((ulong)(uint)words << 56) ^ ((ulong)(uint)length << 48) ^ (prefix ? 1UL << 47 : 0UL) ^ (ulong)letters.Length;
        foreach (var c in letters)
        {
            key = (key * Multiplier) + c;
        }

        return (int)((key * Multiplier) >> (64 - GateBits));
    }

    private void Open(int words, int length, ReadOnlySpan<char> letters, bool prefix)
    {
        var bit = GateBit(words, length, letters, prefix);
        _gate[bit >> 6] |= 1UL << bit;
    }

    private bool IsOpen(int words, int length, ReadOnlySpan<char> letters, bool prefix)
    {
        var bit = GateBit(words, length, letters, prefix);
        return (_gate[bit >> 6] & (1UL << bit)) != 0;
    }

    /// <summary>Whether a window of <paramref name="words"/> words with these letters may be within budget of a name.</summary>
    public bool MayMatch(int words, ReadOnlySpan<char> window)
    {
        var length = window.Length;
        if (length < 3)
        {
            return false;
        }

        // Names of 5 or 6 letters are reached from windows of up to 7 letters, longer names from 6 letters on.
        return (length <= TrigramLetters && (IsOpen(words, length, window[..2], prefix: true) || IsOpen(words, length, window[^2..], prefix: false)))
            || (length >= TrigramLetters - 1 && (IsOpen(words, length, window[..3], prefix: true) || IsOpen(words, length, window[^3..], prefix: false)));
    }

    public FuzzyName[] Names { get; }

    /// <summary>The names' letters as they read ("google"): what the index files and distances are measured on.</summary>
    public char[] Letters { get; }

    public int ShortestName { get; }

    public int LongestName { get; }

    public int MostWords { get; }

    public bool IsEmpty => Names.Length == 0;

    public static int BudgetFor(int letters) => letters < MinLetters ? 0 : letters < TwoEditLetters ? 1 : 2;

    public ReadOnlySpan<char> LettersOf(in FuzzyName name) => Letters.AsSpan(name.Offset, name.Letters);

    public static FuzzyIndex Build(List<FuzzyName> names, List<char> letters)
    {
        var count = 0;
        foreach (var name in names)
        {
            count += name.Letters + 1;
        }

        var bits = Math.Max(4, BitOperations.Log2((uint)Math.Max(1, count)) + 1);
        var shift = 64 - bits;
        var hashes = new ulong[count];
        var owners = new int[count];
        var all = letters.ToArray();
        Span<ulong> prefix = stackalloc ulong[MaxLetters + 1];
        var n = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var word = all.AsSpan(names[i].Offset, names[i].Letters);
            Prefixes(word, prefix);
            hashes[n] = Whole(prefix, word.Length);
            owners[n++] = i;
            for (var k = 0; k < word.Length; k++)
            {
                hashes[n] = Deleted(prefix, word.Length, k);
                owners[n++] = i;
            }
        }

        var bucketStart = new int[(1 << bits) + 1];
        foreach (var hash in hashes)
        {
            bucketStart[(int)(hash >> shift) + 1]++;
        }

        for (var b = 1; b < bucketStart.Length; b++)
        {
            bucketStart[b] += bucketStart[b - 1];
        }

        var fill = bucketStart.AsSpan(0, bucketStart.Length - 1).ToArray();
        var sortedHashes = new ulong[count];
        var sortedNames = new int[count];
        for (var e = 0; e < count; e++)
        {
            var slot = fill[(int)(hashes[e] >> shift)]++;
            sortedHashes[slot] = hashes[e];
            sortedNames[slot] = owners[e];
        }

        return new FuzzyIndex([.. names], all, sortedHashes, sortedNames, bucketStart, shift);
    }

    /// <summary>Adds the names filed under <paramref name="hash"/> to <paramref name="found"/>.</summary>
    public void Find(ulong hash, List<int> found)
    {
        var bit = (int)(hash * Multiplier >> _filterShift);
        if ((_filter[bit >> 6] & (1UL << bit)) == 0)
        {
            return;
        }

        var bucket = (int)(hash >> _shift);
        var end = _bucketStart[bucket + 1];
        for (var e = _bucketStart[bucket]; e < end; e++)
        {
            if (_hashes[e] == hash)
            {
                found.Add(_names[e]);
            }
        }
    }

    /// <summary>prefix[k] = polynomial hash of key[0..k).</summary>
    public static void Prefixes(ReadOnlySpan<char> key, Span<ulong> prefix)
    {
        prefix[0] = 0;
        for (var k = 0; k < key.Length; k++)
        {
            prefix[k + 1] = Step(prefix[k], key[k]);
        }
    }

    public static ulong Step(ulong prefix, char next) => (prefix * Multiplier) + next + 1UL;

    public static ulong Whole(ReadOnlySpan<ulong> prefix, int length) => Finish(prefix[length], length);

    /// <summary>The hash of letters [a, b) of a text whose prefix hashes are <paramref name="prefix"/>.</summary>
    public static ulong WholeRange(ReadOnlySpan<ulong> prefix, int a, int b) => Finish(prefix[b] - (prefix[a] * Power(b - a)), b - a);

    /// <summary>The hash of letters [a, b) with letter <paramref name="k"/> deleted.</summary>
    public static ulong DeletedRange(ReadOnlySpan<ulong> prefix, int a, int b, int k)
    {
        var power = Power(b - k - 1);
        var head = prefix[k] - (prefix[a] * Power(k - a));
        var tail = prefix[b] - (prefix[k + 1] * power);
        return Finish((head * power) + tail, b - a - 1);
    }

    /// <summary>The hash of the key of <paramref name="length"/> units with unit <paramref name="k"/> deleted.</summary>
    public static ulong Deleted(ReadOnlySpan<ulong> prefix, int length, int k)
    {
        var power = Power(length - k - 1);
        var tail = prefix[length] - (prefix[k + 1] * power);
        return Finish((prefix[k] * power) + tail, length - 1);
    }

    private static ulong[] BuildPowers()
    {
        var powers = new ulong[MaxLetters + 4];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * Multiplier;
        }

        return powers;
    }

    private static ulong Power(int exponent) => Powers[exponent];

    private static ulong Finish(ulong hash, int length)
    {
        // SplitMix64 finaliser: spreads the polynomial hash over the bucket bits.
        var z = hash + ((ulong)length * 0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
