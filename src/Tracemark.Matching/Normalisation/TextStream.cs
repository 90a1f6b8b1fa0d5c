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

    Boundary = HardBoundary | SoftBoundary,
}

/// <summary>
/// A text after normalisation: parallel arrays, one entry per unit, each unit knowing the span of the
/// original text it came from. Reused across texts on one thread so that screening allocates nothing per text.
/// </summary>
internal sealed class TextStream
{
    private const int InitialCapacity = 256;

    // Above this many units a buffer is not kept for the next text: one huge line must not pin memory forever.
    internal const int RetainedCapacity = 1 << 16;

    public char[] Key = new char[InitialCapacity];
    public char[] Visual = new char[InitialCapacity];
    public char[] Fold = new char[InitialCapacity];
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
        Array.Resize(ref Fold, size);
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
        Fold[to] = Fold[from];
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
    public int CopyFold(int from, int to, Span<char> destination)
    {
        var written = 0;
        for (var i = from; i < to; i++)
        {
            for (var r = 0; r < Run[i] && written < destination.Length; r++)
            {
                destination[written++] = Fold[i];
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
