using System.Numerics;
using System.Runtime.CompilerServices;
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
/// Proposes the names a window of text may be a lookalike of, by anchors: an edit (a letter changed, added,
/// left out, or two swapped) at some position of a name leaves the letters before it and the letters after it
/// as they were, so a name is filed under a few pairs of its first and last letters that between them cover
/// every position of an edit, keyed by its word count and length; a window looks up its own first and last
/// letters the same way for each name length within one of its own, and a name is proposed only when it also
/// uses nearly the window's letters. Every name within one edit of the window is proposed, and few others. The
/// caller measures the distance of each proposal. (Before 2026-11-21 this was a symmetric-deletion index behind a
/// gate of two or three letters at either end: a look-up per letter of every window that passed the gate, and
/// the gate let 38 % of windows through.)
/// </summary>
internal sealed class FuzzyIndex
{
    /// <summary>Marks with fewer letters get no edit-distance lookalikes: too many ordinary words lie one edit away.</summary>
    public const int MinLetters = 5;

    /// <summary>From this many letters on, two edits are allowed.</summary>
    public const int TwoEditLetters = 10;

    /// <summary>Longer names are found exactly or by visual tricks only.</summary>
    public const int MaxLetters = 64;

    /// <summary>Most letters at each end a name of two edits is filed under.</summary>
    private const int LongAnchor = 6;

    /// <summary>The anchor a name split in two is found by: all its letters, since a split name may not be mistyped too.</summary>
    private const int SplitAnchor = 7;

    // Names of two edits are filed without their length, which each entry carries: a window looks its ends up
    // once for the three lengths within one of its own.
    private const int LongHead = 8;
    private const int LongTail = 16;

    /// <summary>Windows of more words than this find nothing: no name is looked up for them.</summary>
    private const int MaxWords = 15;

    /// <summary>
    /// Windows of this many words or more are looked up only when their ends pass <see cref="MayProposeLong"/>: the
    /// names they can be proposed are few (names of as many words, and names of one word fewer split once), so their
    /// ends rule most such windows out.
    /// </summary>
    public const int GatedWords = 4;

    // The gate's ends: letters an end of a window of GatedWords words or more must show for any name to be proposed,
    // by kind of name: of GatedWords words or more and ten letters or more (by the half their anchors hold, four to
    // six letters: four alone let through a quarter of the windows, by endings such as "ions"), of as many words and
    // fewer letters (two), and of one word fewer, split once (four). Tail is added to a kind for its last letters.
    private const int ShortEnd = 2;
    private const int SplitEnd = 4;
    private const int EndBits = 18;
    private const int LongName = 0;
    private const int ShortName = LongName + LongAnchor + 1;
    private const int SplitName = ShortName + 1;
    private const int Tail = 16;

    /// <summary>Per window length, the bits of <see cref="StartOfLong"/> that long names of a length within one of it are filed under.</summary>
    private static readonly int[] LongHalves = BuildLongHalves();

    private const ulong Multiplier = 0x9E3779B97F4A7C15UL;

    private static readonly ulong[] Powers = BuildPowers();

    /// <summary>An anchor key (never 0) and the run of entries filed under it, read together in one cache line.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public ulong Key;
        public int Start;
        public int End;
    }

    /// <summary>A name filed under a key, with the letters it uses (<see cref="LetterBit"/>), checked before it is proposed at all.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public ulong Mask;
        public int Name;
        public int Letters;
    }

    private readonly Slot[] _slots;
    private readonly Entry[] _entries;
    private readonly int _slotShift;

    // Two bits of one word per filed key, in a table small enough to stay in cache: most anchors of ordinary
    // text end here, after one read.
    private readonly ulong[] _filter;
    private readonly int _filterShift;

    // One bit per end of the names a window of GatedWords words or more may be proposed, read once per word, not once
    // per window: 32 KiB, so that the few thousand ends filed set about 2 % of the bits (at 8 KiB a tenth were set,
    // and false passes let through a fifth of the windows).
    private readonly ulong[] _ends = new ulong[(1 << EndBits) / 64];

    // Per (words, letters), what a window of that many words checks before it computes any key, read in one go.
    private readonly Cell[] _cells = new Cell[(MaxWords + 1) * (MaxLetters + 1)];

    [StructLayout(LayoutKind.Sequential)]
    private struct Cell
    {
        /// <summary>
        /// Every letter some name filed here uses, and the letters all of them use. A name is proposed only when at
        /// most one letter of the window is not among its own and at most one of its own is not in the window, so a
        /// window with two letters no name of a length uses, or without two letters all of them use, looks none of
        /// them up: most windows of three words or more, whose lengths few names have.
        /// </summary>
        public ulong AnyLetters;
        public ulong AllLetters;

        /// <summary>Bit k when names are filed here under their anchor k: a window computes only the keys that can exist.</summary>
        public int Present;
    }

    private FuzzyIndex(FuzzyName[] names, char[] letters, List<(ulong Key, int Name)> entries)
    {
        Names = names;
        Letters = letters;
        ShortestName = names.Length == 0 ? 0 : int.MaxValue;
        foreach (var name in names)
        {
            ShortestName = Math.Min(ShortestName, name.Letters);
            LongestName = Math.Max(LongestName, name.Letters);
            MostWords = Math.Max(MostWords, name.Words);
        }

        entries.Sort(static (x, y) => x.Key != y.Key ? x.Key.CompareTo(y.Key) : x.Name.CompareTo(y.Name));
        _entries = new Entry[entries.Count];
        var distinct = 0;
        for (var e = 0; e < entries.Count; e++)
        {
            _entries[e] = new Entry { Mask = LetterMask(LettersOf(names[entries[e].Name])), Name = entries[e].Name, Letters = names[entries[e].Name].Letters };
            distinct += e == 0 || entries[e].Key != entries[e - 1].Key ? 1 : 0;
        }

        var slotBits = Math.Max(4, BitOperations.Log2((uint)Math.Max(1, distinct)) + 2);
        _slotShift = 64 - slotBits;
        _slots = new Slot[1 << slotBits];
        var filterWords = Math.Max(0, BitOperations.Log2((uint)Math.Max(1, distinct)) - 1);
        _filter = new ulong[1 << filterWords];
        _filterShift = 64 - filterWords;
        for (var e = 0; e < entries.Count;)
        {
            var key = entries[e].Key;
            var end = e + 1;
            while (end < entries.Count && entries[end].Key == key)
            {
                end++;
            }

            var slot = (int)(key >> _slotShift);
            while (_slots[slot].Key != 0)
            {
                slot = (slot + 1) & (_slots.Length - 1);
            }

            _slots[slot] = new Slot { Key = key, Start = e, End = end };
            _filter[FilterWord(key)] |= FilterBits(key);
            e = end;
        }
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

    /// <summary>
    /// The anchors of a name of n letters: its first letters and its last, read together. An edit at position
    /// p (two letters swapped at p and p + 1 at worst) keeps the p letters before it and the n − p − 2 after it,
    /// so anchors (0, s), (k, s − k), (2k, s − 2k) … and (s, 0), with k = n − 1 − s, cover every position with
    /// s letters each: three for names of five and six letters, four for seven and eight, five for nine. Names of
    /// ten letters or more (two edits: a letter out of each side) are filed under up to six letters at either end,
    /// half the name at most: a letter added near the start and another left out near the end, which moves every
    /// letter of the name between, is not looked for.
    /// </summary>
    private static readonly (int Head, int Tail)[][] AnchorTable = BuildAnchors();

    private static (int Head, int Tail)[][] BuildAnchors()
    {
        var table = new (int Head, int Tail)[MaxLetters + 1][];
        for (var n = 0; n <= MaxLetters; n++)
        {
            if (n >= TwoEditLetters)
            {
                var half = Math.Min(LongAnchor, (n - 1) / 2);
                table[n] = [(half, 0), (0, half)];
                continue;
            }

            var strength = n switch { < MinLetters => n, 5 or 6 => 3, 7 or 8 => 4, _ => 5 };
            var step = Math.Max(1, n - 1 - strength);
            var anchors = new List<(int Head, int Tail)>();
            for (var head = 0; head < strength; head += step)
            {
                anchors.Add((head, strength - head));
            }

            anchors.Add((strength, 0));
            table[n] = [.. anchors];
        }

        return table;
    }

    internal static ReadOnlySpan<(int Head, int Tail)> Anchors(int letters) => AnchorTable[letters];

    public static FuzzyIndex Build(List<FuzzyName> names, List<char> letters)
    {
        var all = letters.ToArray();
        var entries = new List<(ulong Key, int Name)>(names.Count * 5);
        Span<ulong> prefix = stackalloc ulong[MaxLetters + 1];
        var present = new List<(int Words, int Letters, int Anchor, int Name)>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var word = all.AsSpan(name.Offset, name.Letters);
            Prefixes(word, prefix);
            var anchors = Anchors(name.Letters);
            for (var k = 0; k < anchors.Length; k++)
            {
                var (head, tail) = anchors[k];
                var key = name.Letters >= TwoEditLetters
                    ? Key(name.Words, 0, head > 0 ? LongHead + head : LongTail + tail, Range(prefix, 0, head), Range(prefix, word.Length - tail, word.Length))
                    : Key(name.Words, name.Letters, k, Range(prefix, 0, head), Range(prefix, word.Length - tail, word.Length));
                entries.Add((key, i));
                present.Add((name.Words, name.Letters, k, i));
            }

            entries.Add((Key(name.Words + 1, name.Letters, SplitAnchor, Range(prefix, 0, word.Length), 0), i));
            present.Add((name.Words + 1, name.Letters, SplitAnchor, i));
        }

        var index = new FuzzyIndex([.. names], all, entries);
        foreach (var name in names)
        {
            var word = all.AsSpan(name.Offset, name.Letters);
            Prefixes(word, prefix);
            if (name.Words >= GatedWords && name.Letters >= TwoEditLetters)
            {
                // Proposed to windows of its own word count by half its letters (four to six) at one end.
                var half = Anchors(name.Letters)[0].Head;
                index.FileEnd(EndBit(LongName + half, Range(prefix, 0, half)));
                index.FileEnd(EndBit(LongName + half + Tail, Range(prefix, word.Length - half, word.Length)));
            }
            else if (name.Words >= GatedWords)
            {
                // Every anchor of a shorter name holds two letters at one end or the other.
                index.FileEnd(EndBit(ShortName, Range(prefix, 0, ShortEnd)));
                index.FileEnd(EndBit(ShortName + Tail, Range(prefix, word.Length - ShortEnd, word.Length)));
            }

            if (name.Words + 1 >= GatedWords)
            {
                // Proposed, split once, to windows of one word more that spell it exactly (so of four letters or more):
                // both its ends are theirs.
                index.FileEnd(EndBit(SplitName, Range(prefix, 0, SplitEnd)));
                index.FileEnd(EndBit(SplitName + Tail, Range(prefix, word.Length - SplitEnd, word.Length)));
            }
        }

        foreach (ref var cell in index._cells.AsSpan())
        {
            cell.AllLetters = ulong.MaxValue;
        }

        foreach (var (words, length, anchor, name) in present)
        {
            if (words <= MaxWords)
            {
                var cell = (words * (MaxLetters + 1)) + length;
                var mask = LetterMask(all.AsSpan(names[name].Offset, names[name].Letters));
                index._cells[cell].Present |= 1 << anchor;
                index._cells[cell].AnyLetters |= mask;
                index._cells[cell].AllLetters &= mask;
            }
        }

        return index;
    }

    /// <summary>
    /// What the first letters of windows starting at letter <paramref name="a"/> (of <paramref name="letters"/> in
    /// the text) show of the names that windows of <see cref="GatedWords"/> words or more may be proposed. Such a
    /// window holds four letters or more, one per word; the ends of longer names are read when the text has them.
    /// </summary>
    public int StartOfLong(ReadOnlySpan<ulong> prefix, int a, int letters)
    {
        var shown = (HasEnd(EndBit(ShortName, Range(prefix, a, a + ShortEnd))) ? 1 << ShortName : 0)
            | (HasEnd(EndBit(SplitName, Range(prefix, a, a + SplitEnd))) ? 1 << SplitName : 0);
        for (var half = SplitEnd; half <= LongAnchor && a + half <= letters; half++)
        {
            shown |= HasEnd(EndBit(LongName + half, Range(prefix, a, a + half))) ? 1 << (LongName + half) : 0;
        }

        return shown;
    }

    /// <summary>The same for the last letters of windows ending before letter <paramref name="b"/>.</summary>
    public int EndOfLong(ReadOnlySpan<ulong> prefix, int b)
    {
        var shown = (HasEnd(EndBit(ShortName + Tail, Range(prefix, b - ShortEnd, b))) ? 1 << ShortName : 0)
            | (HasEnd(EndBit(SplitName + Tail, Range(prefix, b - SplitEnd, b))) ? 1 << SplitName : 0);
        for (var half = SplitEnd; half <= LongAnchor && half <= b; half++)
        {
            shown |= HasEnd(EndBit(LongName + half + Tail, Range(prefix, b - half, b))) ? 1 << (LongName + half) : 0;
        }

        return shown;
    }

    /// <summary>
    /// False when a window of <see cref="GatedWords"/> words or more and <paramref name="length"/> letters, whose ends
    /// show <paramref name="start"/> and <paramref name="end"/>, can be proposed no name: a long name (of a length
    /// within one of the window's) by either end's half, a shorter one (of nine letters at most, so for windows of ten
    /// at most) by two letters at either end, a split name by both ends.
    /// </summary>
    public static bool MayProposeLong(int start, int end, int length) =>
        ((start | end) & LongHalves[Math.Min(length, LongHalves.Length - 1)]) != 0
        || (length <= TwoEditLetters && ((start | end) & (1 << ShortName)) != 0)
        || (start & end & (1 << SplitName)) != 0;

    private static int[] BuildLongHalves()
    {
        var halves = new int[MaxLetters + 2];
        for (var length = 0; length < halves.Length; length++)
        {
            for (var n = Math.Max(TwoEditLetters, length - 1); n <= Math.Min(MaxLetters, length + 1); n++)
            {
                halves[length] |= 1 << (LongName + Math.Min(LongAnchor, (n - 1) / 2));
            }
        }

        return halves;
    }

    private void FileEnd(int bit) => _ends[bit >> 6] |= 1UL << bit;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool HasEnd(int bit) => (_ends[bit >> 6] & (1UL << bit)) != 0;

    /// <summary>The gate's bit for an end of <paramref name="kind"/> (plus <see cref="Tail"/> for a last end) whose letters hash to <paramref name="letters"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EndBit(int kind, ulong letters) => (int)(((letters + ((ulong)(uint)kind * 0xBF58476D1CE4E5B9UL)) * Multiplier) >> (64 - EndBits));

    /// <summary>
    /// One bit per letter a word uses (digits and other characters share the bits past the alphabet's): a
    /// letter out of each side (one edit, or one added and another left out) leaves at most one letter of
    /// either word unused by the other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LetterBit(char letter) =>
        1UL << (letter is >= 'a' and <= 'z' ? letter - 'a' : letter is >= '0' and <= '9' ? 26 + letter - '0' : 36 + (letter % 28));

    public static ulong LetterMask(ReadOnlySpan<char> letters)
    {
        var mask = 0UL;
        foreach (var letter in letters)
        {
            mask |= LetterBit(letter);
        }

        return mask;
    }

    /// <summary>
    /// Adds to <paramref name="found"/> the names that may be within reach of letters [a, b) of a text of
    /// <paramref name="words"/> words whose prefix hashes are <paramref name="prefix"/> and whose letters make
    /// <paramref name="mask"/>: names of one letter more, as many, or one fewer, with the window's anchors and
    /// nearly its letters. A name may be added more than once.
    /// </summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Find(int words, ReadOnlySpan<ulong> prefix, int a, int b, ulong mask, List<int> found)
    {
        var length = b - a;
        if (words > MaxWords)
        {
            return;
        }

        var last = Math.Min(length + 1, LongestName);
        var longHalf = -1;
        for (var letters = Math.Max(length - 1, ShortestName); letters <= last; letters++)
        {
            var cell = (words * (MaxLetters + 1)) + letters;
            ref readonly var here = ref _cells[cell];
            var filed = here.Present;
            if (filed == 0 || BitOperations.PopCount(mask & ~here.AnyLetters) > 1 || BitOperations.PopCount(here.AllLetters & ~mask) > 1)
            {
                continue;
            }

            if (filed >= 1 << SplitAnchor && letters == length)
            {
                var key = Key(words, letters, SplitAnchor, Range(prefix, a, b), 0);
                if (MayBeFiled(key))
                {
                    Lookup(key, mask, length, found);
                }
            }

            filed &= (1 << SplitAnchor) - 1;
            if (letters >= TwoEditLetters)
            {
                var half = Anchors(letters)[0].Head;
                if (filed != 0 && half != longHalf)
                {
                    longHalf = half;
                    var head = Key(words, 0, LongHead + half, Range(prefix, a, a + half), 0);
                    if (MayBeFiled(head))
                    {
                        Lookup(head, mask, length, found);
                    }

                    var tail = Key(words, 0, LongTail + half, 0, Range(prefix, b - half, b));
                    if (MayBeFiled(tail))
                    {
                        Lookup(tail, mask, length, found);
                    }
                }

                continue;
            }

            var anchors = Anchors(letters);
            for (var k = 0; filed != 0; k++, filed >>= 1)
            {
                var (first, end) = anchors[k];
                if ((filed & 1) != 0 && first + end <= length)
                {
                    // Most keys of ordinary text end at the filter: only those that pass it call out.
                    var key = Key(words, letters, k, Range(prefix, a, a + first), Range(prefix, b - end, b));
                    if (MayBeFiled(key))
                    {
                        Lookup(key, mask, length, found);
                    }
                }
            }
        }
    }

    /// <summary>Proposes the names filed under <paramref name="key"/>, which has passed <see cref="MayBeFiled"/>.</summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Lookup(ulong key, ulong mask, int length, List<int> found)
    {
        var (start, end) = Run(key);
        for (var e = start; e < end; e++)
        {
            var own = _entries[e].Mask;
            if (Math.Abs(_entries[e].Letters - length) <= 1 && BitOperations.PopCount(own & ~mask) <= 1 && BitOperations.PopCount(mask & ~own) <= 1)
            {
                found.Add(_entries[e].Name);
            }
        }
    }

    /// <summary>False when no entries are filed under <paramref name="key"/>; true when some may be.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool MayBeFiled(ulong key)
    {
        var bits = FilterBits(key);
        return (_filter[FilterWord(key)] & bits) == bits;
    }

    /// <summary>The entries filed under <paramref name="key"/> (which has passed the filter), or none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (int Start, int End) Run(ulong key)
    {
        var slots = _slots.Length - 1;
        for (var slot = (int)(key >> _slotShift); _slots[slot].Key != 0; slot = (slot + 1) & slots)
        {
            if (_slots[slot].Key == key)
            {
                return (_slots[slot].Start, _slots[slot].End);
            }
        }

        return default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FilterWord(ulong key) => _filterShift == 64 ? 0 : (int)(key >> _filterShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FilterBits(ulong key) => (1UL << (int)(key & 63)) | (1UL << (int)((key >> 6) & 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(int words, int letters, int anchor, ulong head, ulong tail)
    {
        // The anchor's polynomial hashes are mixed with where it sits; the high bits are folded down so that the
        // filter's bits, taken from the low end, vary as much as the slot, taken from the high end.
        var where = ((ulong)(uint)words << 16) | ((ulong)(uint)letters << 8) | (uint)anchor;
        var z = ((head * 0x94D049BB133111EBUL) + tail + (where * 0xBF58476D1CE4E5B9UL)) * Multiplier;
        z ^= z >> 29;
        return z == 0 ? 1 : z;
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Step(ulong prefix, char next) => (prefix * Multiplier) + next + 1UL;

    /// <summary>The polynomial hash of letters [a, b) of a text whose prefix hashes are <paramref name="prefix"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Range(ReadOnlySpan<ulong> prefix, int a, int b) => prefix[b] - (prefix[a] * Powers[b - a]);

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
}
