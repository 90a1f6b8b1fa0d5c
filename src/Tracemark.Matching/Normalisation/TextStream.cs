namespace Tracemark.Matching.Normalisation;

[Flags]
internal enum UnitFlags : ushort
{
    None = 0,

    /// <summary>A separator, a script change or the start of the text comes before this unit.</summary>
    HardBoundary = 1,

    /// <summary>A change between letters and unconverted digits comes before this unit ("iphone|4", "nike|2000").</summary>
    SoftBoundary = 2,

    /// <summary>The unit came from a full-width or other compatibility form.</summary>
    Compatibility = 4,

    /// <summary>Accents were removed from the unit.</summary>
    Diacritic = 8,

    /// <summary>A digit or symbol that the scanner read as a letter inside a word.</summary>
    Leet = 16,

    /// <summary>A character of a script written without spaces.</summary>
    Unsegmented = 32,

    /// <summary>A digit kept as a digit.</summary>
    Digit = 64,

    /// <summary>The key is a basic Latin letter.</summary>
    Latin = 128,

    /// <summary>
    /// Single characters spaced out by one separator each ("n.i.k.e", "n i k e") form one word; the unit after
    /// such a separator carries this flag instead of a boundary.
    /// </summary>
    Spaced = 256,

    /// <summary>The separators before this unit include white space: a space between words, not a dot inside one.</summary>
    SpaceBefore = 512,

    /// <summary>A small l among capitals read as a capital I ("lKEA"), or a capital I among small letters read as an l ("GoogIe").</summary>
    CaseDisguise = 1024,

    /// <summary>A break between words of any kind: a boundary, or a separator between spaced-out letters.</summary>
    Break = HardBoundary | Spaced,

    Boundary = HardBoundary | SoftBoundary,
}

/// <summary>
/// A text after normalisation: parallel arrays, one entry per unit, each unit knowing the span of the
/// original text it came from. A unit is one character, or a run of characters with the same key ("oo" in
/// "google"): the run's first and last characters are kept, so "iI" (a disguised "il") is not taken for "ii".
/// Reused across texts on one thread so that screening allocates nothing per text.
/// </summary>
internal sealed class TextStream
{
    private const int InitialCapacity = 256;

    // Above this many units a buffer is not kept for the next text: one huge line must not pin memory forever.
    internal const int RetainedCapacity = 1 << 16;

    public char[] Key = new char[InitialCapacity];
    public char[] Visual = new char[InitialCapacity];
    public char[] VisualLast = new char[InitialCapacity];
    public char[] Fold = new char[InitialCapacity];
    public char[] FoldLast = new char[InitialCapacity];

    /// <summary>The original character a unit starts with: its case tells "lKEA" (a disguised IKEA) from "arlo".</summary>
    public char[] Original = new char[InitialCapacity];
    public int[] Start = new int[InitialCapacity];
    public int[] End = new int[InitialCapacity];
    public byte[] Run = new byte[InitialCapacity];
    public UnitFlags[] Flags = new UnitFlags[InitialCapacity];
    public int Length;

    public int Capacity => Key.Length;

    public void Clear() => Length = 0;

    public void EnsureRoom(int more)
    {
        if (Length + more <= Key.Length)
        {
            return;
        }

        var size = Math.Max(Key.Length * 2, Length + more);
        Array.Resize(ref Key, size);
        Array.Resize(ref Visual, size);
        Array.Resize(ref VisualLast, size);
        Array.Resize(ref Fold, size);
        Array.Resize(ref FoldLast, size);
        Array.Resize(ref Original, size);
        Array.Resize(ref Start, size);
        Array.Resize(ref End, size);
        Array.Resize(ref Run, size);
        Array.Resize(ref Flags, size);
    }

    /// <summary>Moves unit <paramref name="from"/> to <paramref name="to"/> while compacting.</summary>
    public void Move(int from, int to)
    {
        Key[to] = Key[from];
        Visual[to] = Visual[from];
        VisualLast[to] = VisualLast[from];
        Fold[to] = Fold[from];
        FoldLast[to] = FoldLast[from];
        Original[to] = Original[from];
        Start[to] = Start[from];
        End[to] = End[from];
        Run[to] = Run[from];
        Flags[to] = Flags[from];
    }

    /// <summary>True when a mark may start (or end) before unit <paramref name="index"/>.</summary>
    public bool IsAligned(int index) =>
        index <= 0 || index >= Length
        || (Flags[index] & UnitFlags.Boundary) != UnitFlags.None
        || ((Flags[index] | Flags[index - 1]) & UnitFlags.Unsegmented) != UnitFlags.None;

    public bool IsDigit(int index) => (Flags[index] & UnitFlags.Digit) != UnitFlags.None;

    /// <summary>Start of the word (between hard or soft boundaries) that holds unit <paramref name="index"/>.</summary>
    public int WordStart(int index)
    {
        while (index > 0 && (Flags[index] & UnitFlags.Boundary) == UnitFlags.None)
        {
            index--;
        }

        return index;
    }

    /// <summary>End (exclusive) of the word that holds unit <paramref name="index"/>.</summary>
    public int WordEnd(int index)
    {
        index++;
        while (index < Length && (Flags[index] & UnitFlags.Boundary) == UnitFlags.None)
        {
            index++;
        }

        return index;
    }

    /// <summary>Writes the folded letters of a range, repeats expanded: the form dictionary words are kept in.</summary>
    public int CopyFold(int from, int to, Span<char> destination) => Expand(Fold, FoldLast, from, to, destination);

    private int Expand(char[] first, char[] last, int from, int to, Span<char> destination)
    {
        var written = 0;
        for (var i = from; i < to && written < destination.Length; i++)
        {
            destination[written++] = first[i];
            for (var r = 1; r < Run[i] && written < destination.Length; r++)
            {
                destination[written++] = last[i];
            }
        }

        return written;
    }

    public int FoldLength(int from, int to)
    {
        var length = 0;
        for (var i = from; i < to; i++)
        {
            length += Run[i];
        }

        return length;
    }
}
