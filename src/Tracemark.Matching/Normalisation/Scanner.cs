using System.Text;

namespace Tracemark.Matching.Normalisation;

/// <summary>
/// Turns a text into a <see cref="TextStream"/>: one table look-up per character, then, word by word,
/// the decisions that need context: which digits are letters in disguise ("n1ke", "g00gle" but not
/// "iphone 4s" or "2000"), and which repeated letters collapse ("nikkeee").
/// </summary>
internal static class Scanner
{
    private const int MaxLeetRun = 3;

    public static void Normalise(ReadOnlySpan<char> text, TextStream stream)
    {
        var tables = CharTable.Current;
        var bmp = tables.Bmp;
        var units = tables.Units;
        Span<Unit> pair = stackalloc Unit[2];
        stream.Clear();
        var boundary = true;
        var wordStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var width = 1;
            var entry = bmp[c];
            scoped ReadOnlySpan<Unit> produced = default;
            if (entry.Class == CharClass.Surrogate)
            {
                entry = default;
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    width = 2;
                    var codePoint = char.ConvertToUtf32(c, text[i + 1]);
                    if (tables.Supplementary.TryGetValue(codePoint, out var folded))
                    {
                        entry = folded;
                    }
                    else if (Rune.IsLetter(new Rune(codePoint)))
                    {
                        // A letter NFKC leaves alone (CJK extension B, historic scripts): both halves pass as they are.
                        var kind = CharTable.IsUnsegmented(codePoint) ? UnitKind.Unsegmented : UnitKind.Letter;
                        pair[0] = new Unit(c, c, c, kind);
                        pair[1] = new Unit(text[i + 1], text[i + 1], text[i + 1], kind);
                        produced = pair;
                        entry = new CharEntry(CharClass.Units, CharFlags.None, 2, 0);
                    }
                }

                // Otherwise a lone surrogate or a symbol (emoji): it ends the word like a space would.
            }

            switch (entry.Class)
            {
                case CharClass.Units:
                    if (produced.IsEmpty)
                    {
                        produced = units.AsSpan(entry.Offset, entry.Count);
                    }

                    foreach (var unit in produced)
                    {
                        var kind = unit.Kind & UnitKind.KindMask;
                        var flags = UnitFlags.None;
                        if (kind == UnitKind.LeetSymbol)
                        {
                            if (!ReadsAsLetter(c, stream, wordStart, text, i + width, bmp, units))
                            {
                                boundary = true;
                                continue;
                            }

                            flags |= UnitFlags.Leet;
                        }
                        else if (kind == UnitKind.Digit)
                        {
                            flags |= UnitFlags.Digit;
                        }

                        var unsegmented = unit.Kind.HasFlag(UnitKind.Unsegmented);
                        if (stream.Length > wordStart && unsegmented != ((stream.Flags[stream.Length - 1] & UnitFlags.Unsegmented) != UnitFlags.None))
                        {
                            // A change of script is a word break even without a space ("耐克nike").
                            boundary = true;
                        }

                        if (boundary)
                        {
                            if (stream.Length > wordStart)
                            {
                                FinishWord(stream, wordStart);
                            }

                            wordStart = stream.Length;
                            flags |= UnitFlags.HardBoundary;
                            boundary = false;
                        }

                        if (unsegmented)
                        {
                            flags |= UnitFlags.Unsegmented;
                        }

                        if (unit.Kind.HasFlag(UnitKind.Latin))
                        {
                            flags |= UnitFlags.Latin;
                        }

                        if ((entry.Flags & CharFlags.Compatibility) != CharFlags.None)
                        {
                            flags |= UnitFlags.Compatibility;
                        }

                        if ((entry.Flags & CharFlags.Diacritic) != CharFlags.None)
                        {
                            flags |= UnitFlags.Diacritic;
                        }

                        Append(stream, unit, i, i + width, flags);
                    }

                    break;
                case CharClass.CombiningMark:
                    // Belongs to the character before it, whose span it widens.
                    if (stream.Length > wordStart && !boundary)
                    {
                        stream.End[stream.Length - 1] = i + width;
                        stream.Flags[stream.Length - 1] |= UnitFlags.Diacritic;
                    }

                    break;
                case CharClass.Ignorable:
                    break;
                default:
                    boundary = true;
                    break;
            }

            i += width;
        }

        if (stream.Length > wordStart)
        {
            FinishWord(stream, wordStart);
        }
    }

    /// <summary>A leet symbol reads as a letter when letters surround it ("adid@s"), or, for $ and @, when a letter follows ("$upreme").</summary>
    private static bool ReadsAsLetter(char c, TextStream stream, int wordStart, ReadOnlySpan<char> text, int next, CharEntry[] bmp, Unit[] units)
    {
        var letterBefore = stream.Length > wordStart && (stream.Flags[stream.Length - 1] & (UnitFlags.Digit | UnitFlags.Unsegmented)) == UnitFlags.None;
        var letterAfter = false;
        if (next < text.Length)
        {
            var entry = bmp[text[next]];
            letterAfter = entry.Class == CharClass.Units && (units[entry.Offset].Kind & UnitKind.KindMask) == UnitKind.Letter
                && !units[entry.Offset].Kind.HasFlag(UnitKind.Unsegmented);
        }

        return c is '$' or '@' or '€' or '¢' ? letterAfter : letterBefore && letterAfter;
    }

    private static void Append(TextStream stream, Unit unit, int start, int end, UnitFlags flags)
    {
        stream.EnsureRoom(1);
        var n = stream.Length;
        stream.Key[n] = unit.Key;
        stream.Visual[n] = unit.Visual;
        stream.Fold[n] = unit.Fold;
        stream.Start[n] = start;
        stream.End[n] = end;
        stream.Run[n] = 1;
        stream.Flags[n] = flags;
        stream.Length = n + 1;
    }

    /// <summary>Context decisions for the word in units [start, Length): leet digits, soft boundaries, repeats.</summary>
    private static void FinishWord(TextStream stream, int start)
    {
        var end = stream.Length;
        var flags = stream.Flags;
        var letters = 0;
        var digits = 0;
        for (var i = start; i < end; i++)
        {
            if ((flags[i] & UnitFlags.Digit) != UnitFlags.None)
            {
                digits++;
            }
            else
            {
                letters++;
            }
        }

        if (digits > 0 && letters > 0)
        {
            ResolveDigits(stream, start, end, letters);
        }

        if (letters > 1)
        {
            CollapseRepeats(stream, start, end);
        }
    }

    private static void ResolveDigits(TextStream stream, int start, int end, int letters)
    {
        var flags = stream.Flags;
        var i = start;
        while (i < end)
        {
            if ((flags[i] & UnitFlags.Digit) == UnitFlags.None)
            {
                i++;
                continue;
            }

            var runEnd = i;
            while (runEnd < end && (flags[runEnd] & UnitFlags.Digit) != UnitFlags.None)
            {
                runEnd++;
            }

            var before = i > start;
            var after = runEnd < end;
            var length = runEnd - i;

            // Between letters a short digit run is a disguise ("n1ke", "g00gle"); at the edge of a word only a
            // single digit is ("nik3", "4didas"), and even then it may be a model number ("iphone4"), so a soft
            // boundary keeps the letters beside it a word of their own.
            var interior = before && after && length <= MaxLeetRun;
            var edge = !interior && length == 1 && letters >= 2;
            if (interior || edge)
            {
                for (var d = i; d < runEnd; d++)
                {
                    var letter = Leet(stream.Fold[d]);
                    stream.Visual[d] = letter;
                    stream.Key[d] = Confusables.MergeLatinClass(letter);
                    flags[d] = (flags[d] & ~UnitFlags.Digit) | UnitFlags.Leet | UnitFlags.Latin;
                }

                if (edge)
                {
                    flags[before ? i : runEnd] |= UnitFlags.SoftBoundary;
                }
            }
            else
            {
                if (before)
                {
                    flags[i] |= UnitFlags.SoftBoundary;
                }

                if (after)
                {
                    flags[runEnd] |= UnitFlags.SoftBoundary;
                }
            }

            i = runEnd;
        }
    }

    private static char Leet(char digit) => Confusables.Leet[((digit - '0') * 2) + 1];

    private static void CollapseRepeats(TextStream stream, int start, int end)
    {
        var flags = stream.Flags;
        var write = start + 1;
        for (var read = start + 1; read < end; read++)
        {
            var previous = write - 1;
            if ((flags[read] & flags[previous] & UnitFlags.Latin) != UnitFlags.None
                && (flags[read] & UnitFlags.Boundary) == UnitFlags.None
                && stream.Key[read] == stream.Key[previous] && stream.Visual[read] == stream.Visual[previous])
            {
                if (stream.Run[previous] < byte.MaxValue)
                {
                    stream.Run[previous]++;
                }

                stream.End[previous] = stream.End[read];
                flags[previous] |= flags[read] & (UnitFlags.Compatibility | UnitFlags.Diacritic | UnitFlags.Leet);
                continue;
            }

            if (write != read)
            {
                stream.Move(read, write);
            }

            write++;
        }

        stream.Length = write;
    }
}
