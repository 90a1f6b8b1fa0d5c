using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Tracemark.Matching.Normalisation;

/// <summary>
/// Turns a text into a <see cref="TextStream"/>: one table look-up per character, then, word by word, the
/// decisions that need context: which digits are letters in disguise ("n1ke", "g00gle" but not "iphone 4s"
/// or "2000"), which single characters spaced out make one word ("n.i.k.e"), and which repeated letters
/// collapse ("nikkeee").
/// </summary>
internal static class Scanner
{
    // Longer digit runs inside a word are model numbers ("mc812ll"), not disguised letters.
    private const int MaxLeetRun = 2;

    // A digit run at the edge of a word is read as letters only beside this many letters ("nik3", but not "mp3").
    private const int MinLettersForEdgeLeet = 3;

    // Spaced-out names are short; a longer run of single characters is not glued (and not re-examined forever).
    private const int MaxGroup = 64;

    private static readonly UnitFlags[] AsciiFlags = BuildAsciiFlags();

    private static UnitFlags[] BuildAsciiFlags()
    {
        var flags = new UnitFlags[0x80];
        for (var c = 'a'; c <= 'z'; c++)
        {
            flags[c] = UnitFlags.Latin;
            flags[char.ToUpperInvariant(c)] = UnitFlags.Latin;
        }

        for (var c = '0'; c <= '9'; c++)
        {
            flags[c] = UnitFlags.Digit;
        }

        return flags;
    }

    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalise(ReadOnlySpan<char> text, TextStream stream)
    {
        var tables = CharTable.Current;
        var bmp = tables.Bmp;
        var units = tables.Units;
        Span<Unit> pair = stackalloc Unit[2];
        stream.Clear();
        var boundary = true;
        var space = false;
        var wordStart = 0;

        // The word at wordStart was decided when it was read (an ASCII word): it needs no FinishWord.
        var finished = false;
        var group = default(Group);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];

            // Most text is ASCII letters and digits inside a word: one unit each, nothing to decide until the word ends.
            if (c < 0x80 && !boundary && AsciiFlags[c] != UnitFlags.None && (stream.Flags[stream.Length - 1] & UnitFlags.Unsegmented) == UnitFlags.None)
            {
                Append(stream, units[bmp[c].Offset], c, i, i + 1, AsciiFlags[c]);
                i++;
                continue;
            }

            // Most words are ASCII letters and digits between plain separators: filled in one go, and decided at once.
            if (boundary && c < 0x80 && AsciiFlags[c] != UnitFlags.None)
            {
                var end = AsciiWordEnd(text, i, bmp, out var classes);
                if (end > i + 1)
                {
                    if (stream.Length > wordStart && !finished)
                    {
                        FinishWord(text, stream, wordStart, ref group);
                    }

                    i = AsciiWords(text, i, end, classes, stream, ref space, out boundary, out wordStart, bmp, units);
                    group.Start = wordStart;
                    group.Count = 0;
                    group.LastEnd = stream.End[stream.Length - 1];
                    finished = true;
                    continue;
                }
            }

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
                            if (stream.Length > wordStart && !finished)
                            {
                                FinishWord(text, stream, wordStart, ref group);
                            }

                            finished = false;
                            wordStart = stream.Length;
                            flags |= UnitFlags.HardBoundary | (space ? UnitFlags.SpaceBefore : UnitFlags.None);
                            boundary = false;
                            space = false;
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

                        Append(stream, unit, c, i, i + width, flags);
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
                    space |= char.IsWhiteSpace(c);
                    break;
            }

            i += width;
        }

        if (stream.Length > wordStart && !finished)
        {
            FinishWord(text, stream, wordStart, ref group);
        }
    }

    // What an ASCII character is to the word fast path: a letter or digit, and whether it needs the general decisions.
    private const byte AsciiWordChar = 1;
    private const byte AsciiUpper = 2;
    private const byte AsciiStroke = 4;
    private const byte AsciiDigit = 8;

    private static readonly byte[] AsciiClass = BuildAsciiClass();

    /// <summary>
    /// Whether words of ASCII letters and digits are written eight characters at a time: the processor has vectors,
    /// and the table reads every ASCII letter as its small letter (the key merging l into i) and every digit as
    /// itself, which is what the vector path computes instead of looking each up. Checked against the table.
    /// </summary>
    internal static readonly bool VectorWords = Vector128.IsHardwareAccelerated && LettersReadAsSmallLetters(CharTable.Current);

    private static bool LettersReadAsSmallLetters(CharTable.Tables tables)
    {
        for (var c = 'A'; c <= 'z'; c++)
        {
            if (c is > 'Z' and < 'a')
            {
                continue;
            }

            var small = (char)(c | 0x20);
            var entry = tables.Bmp[c];
            if (entry.Class != CharClass.Units || entry.Count != 1 || AsciiFlags[c] != UnitFlags.Latin)
            {
                return false;
            }

            var unit = tables.Units[entry.Offset];
            if (unit.Fold != small || unit.Visual != small || unit.Key != Confusables.MergeLatinClass(small))
            {
                return false;
            }
        }

        for (var c = '0'; c <= '9'; c++)
        {
            var entry = tables.Bmp[c];
            if (entry.Class != CharClass.Units || entry.Count != 1 || AsciiFlags[c] != UnitFlags.Digit
                || tables.Units[entry.Offset] != new Unit(c, c, c, tables.Units[entry.Offset].Kind))
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] BuildAsciiClass()
    {
        var classes = new byte[0x80];
        for (var c = 'a'; c <= 'z'; c++)
        {
            classes[c] = AsciiWordChar;
            classes[char.ToUpperInvariant(c)] = AsciiWordChar | AsciiUpper;
        }

        for (var c = '0'; c <= '9'; c++)
        {
            classes[c] = AsciiWordChar | AsciiDigit;
        }

        classes['l'] |= AsciiStroke;
        classes['I'] |= AsciiStroke;
        return classes;
    }

    /// <summary>
    /// Appends the ASCII word [start, end) and the ASCII words after it that are separated by plain ASCII separators
    /// only, as the main loop would one by one: most titles are such words, and the main loop's work per word and
    /// per separator is as much as a short word's writing. Returns where the main loop goes on: after the
    /// separators, at something else (a single character, a symbol, a word not followed by a plain separator,
    /// anything not ASCII), with <paramref name="boundary"/> and <paramref name="space"/> as those separators set
    /// them; <paramref name="wordStart"/> is the last word's first unit.
    /// </summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int AsciiWords(ReadOnlySpan<char> text, int start, int end, int classes, TextStream stream, ref bool space, out bool boundary, out int wordStart, CharEntry[] bmp, Unit[] units)
    {
        while (true)
        {
            wordStart = stream.Length;
            if (VectorWords)
            {
                VectorWord(text, start, end, classes, stream, UnitFlags.HardBoundary | (space ? UnitFlags.SpaceBefore : UnitFlags.None));
            }
            else
            {
                AsciiWord(text, start, end, stream, space, bmp, units);
            }

            space = false;
            var i = end;
            while (i < text.Length && text[i] < 0x80 && bmp[text[i]].Class == CharClass.Separator)
            {
                space |= char.IsWhiteSpace(text[i]);
                i++;
            }

            boundary = i > end;
            if (i == text.Length || !boundary || text[i] >= 0x80 || AsciiFlags[text[i]] == UnitFlags.None)
            {
                return i;
            }

            var next = AsciiWordEnd(text, i, bmp, out classes);
            if (next <= i + 1)
            {
                return i;
            }

            start = i;
            end = next;
        }
    }

    /// <summary>
    /// End of the run of ASCII letters and digits that starts at <paramref name="start"/> when a plain separator
    /// (or the end of the text) follows it, so that the run is a whole word; otherwise <paramref name="start"/>.
    /// <paramref name="classes"/> gets the classes of the run's characters, or-ed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AsciiWordEnd(ReadOnlySpan<char> text, int start, CharEntry[] bmp, out int classes)
    {
        var classOf = AsciiClass;
        var seen = 0;
        var end = start;
        while (end < text.Length)
        {
            var ch = text[end];
            if (ch >= 0x80 || classOf[ch] == 0)
            {
                break;
            }

            seen |= classOf[ch];
            end++;
        }

        classes = seen;
        return end == text.Length || (text[end] < 0x80 && bmp[text[end]].Class == CharClass.Separator) ? end : start;
    }

    /// <summary>Eight characters from <paramref name="index"/>, zeros (not a word's character) past the end of the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> LoadChars(ReadOnlySpan<char> text, int index) =>
        index + Vector128<ushort>.Count <= text.Length
            ? Vector128.LoadUnsafe(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text)), (nuint)index)
            : LoadPadded(text, index);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<ushort> LoadPadded(ReadOnlySpan<char> text, int index)
    {
        Span<ushort> padded = stackalloc ushort[Vector128<ushort>.Count];
        padded.Clear();
        MemoryMarshal.Cast<char, ushort>(text[index..]).CopyTo(padded);
        return Vector128.Create((ReadOnlySpan<ushort>)padded);
    }

    /// <summary>
    /// Appends the word of ASCII letters and digits [start, end) eight units at a time, one unit per character as
    /// the general path appends them (a letter as its small letter, a digit as itself), then makes the word's
    /// context decisions as it does (<see cref="Resolve"/>), unless the word has nothing to decide: no digit
    /// (a letter in disguise?), no letter repeating the one before it, no stroke among capitals.
    /// </summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VectorWord(ReadOnlySpan<char> text, int start, int end, int classes, TextStream stream, UnitFlags boundary)
    {
        var first = stream.Length;

        // The last block writes up to seven units past the word: room for them, overwritten by what follows.
        stream.EnsureRoom(end - start + Vector128<ushort>.Count);
        ref var key = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.Key));
        ref var visual = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.Visual));
        ref var visualLast = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.VisualLast));
        ref var fold = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.Fold));
        ref var foldLast = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.FoldLast));
        ref var original = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.Original));
        ref var from = ref MemoryMarshal.GetArrayDataReference(stream.Start);
        ref var to = ref MemoryMarshal.GetArrayDataReference(stream.End);
        ref var run = ref MemoryMarshal.GetArrayDataReference(stream.Run);
        ref var flags = ref Unsafe.As<UnitFlags, ushort>(ref MemoryMarshal.GetArrayDataReference(stream.Flags));
        var steps = Vector128.Create(0, 1, 2, 3);
        var previous = Vector128<ushort>.Zero;
        var repeats = 0u;
        for (var k = start; k < end; k += Vector128<ushort>.Count)
        {
            // Digits have the bit of small letters already: "small" is each character's unit, digits included.
            var chars = LoadChars(text, k);
            var small = chars | Vector128.Create((ushort)0x20);
            var digit = Vector128.LessThanOrEqual(chars - Vector128.Create((ushort)'0'), Vector128.Create((ushort)9));

            // The small letter before each: lanes moved up by one, the block before's last in the first (none before
            // the word's first letter); lanes past the word's end do not count.
            var before = Vector128.Shuffle(small.AsByte(), Vector128.Create((byte)0xFF, 0xFF, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)).AsUInt16()
                | Vector128.Shuffle(previous.AsByte(), Vector128.Create((byte)14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)).AsUInt16();
            repeats |= Vector128.AndNot(Vector128.Equals(small, before), digit).ExtractMostSignificantBits()
                & ((1u << Math.Min(end - k, Vector128<ushort>.Count)) - 1);
            previous = small;
            var n = (nuint)(first + k - start);
            Vector128.ConditionalSelect(Vector128.Equals(small, Vector128.Create((ushort)'l')), Vector128.Create((ushort)'i'), small).StoreUnsafe(ref key, n);
            small.StoreUnsafe(ref visual, n);
            small.StoreUnsafe(ref visualLast, n);
            small.StoreUnsafe(ref fold, n);
            small.StoreUnsafe(ref foldLast, n);
            chars.StoreUnsafe(ref original, n);
            var position = Vector128.Create(k) + steps;
            position.StoreUnsafe(ref from, n);
            (position + Vector128.Create(4)).StoreUnsafe(ref from, n + 4);
            (position + Vector128.Create(1)).StoreUnsafe(ref to, n);
            (position + Vector128.Create(5)).StoreUnsafe(ref to, n + 4);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref run, n), 0x0101010101010101UL);
            Vector128.ConditionalSelect(digit, Vector128.Create((ushort)UnitFlags.Digit), Vector128.Create((ushort)UnitFlags.Latin)).StoreUnsafe(ref flags, n);
        }

        Unsafe.Add(ref flags, first) |= (ushort)boundary;
        stream.Length = first + end - start;
        if (repeats != 0 || (classes & AsciiDigit) != 0 || (classes & (AsciiUpper | AsciiStroke)) == (AsciiUpper | AsciiStroke))
        {
            Resolve(stream, first);
        }
    }

    /// <summary>
    /// Appends the word of ASCII letters and digits [start, end) and makes its context decisions, as the general
    /// path does for a word of two characters or more: where the processor has no vectors for <see cref="VectorWord"/>.
    /// </summary>
    private static void AsciiWord(ReadOnlySpan<char> text, int start, int end, TextStream stream, bool space, CharEntry[] bmp, Unit[] units)
    {
        var first = stream.Length;
        stream.EnsureRoom(end - start);
        var boundary = UnitFlags.HardBoundary | (space ? UnitFlags.SpaceBefore : UnitFlags.None);
        for (var k = start; k < end; k++)
        {
            var ch = text[k];
            Append(stream, units[bmp[ch].Offset], ch, k, k + 1, AsciiFlags[ch] | (k == start ? boundary : UnitFlags.None));
        }

        Resolve(stream, first);
    }

    /// <summary>The run of spaced-out single characters the last word belongs to, if any.</summary>
    private struct Group
    {
        public int Start;
        public int Count;
        public int LastEnd;
        public char Separator;
    }

    /// <summary>
    /// A leet symbol reads as a letter inside a word ("adid@s", "C@$tle", "luck!4"), and $ or @ also at its
    /// start ("$upreme"); elsewhere it is punctuation ("sale!", "$100", "a | b", "US$5").
    /// </summary>
    private static bool ReadsAsLetter(char c, TextStream stream, int wordStart, ReadOnlySpan<char> text, int next, CharEntry[] bmp, Unit[] units)
    {
        var before = stream.Length > wordStart && (stream.Flags[stream.Length - 1] & UnitFlags.Unsegmented) == UnitFlags.None;
        var letterBefore = before && (stream.Flags[stream.Length - 1] & UnitFlags.Digit) == UnitFlags.None;
        var after = UnitKind.KindMask;
        if (next < text.Length)
        {
            var entry = bmp[text[next]];
            if (entry.Class == CharClass.Units && !units[entry.Offset].Kind.HasFlag(UnitKind.Unsegmented))
            {
                after = units[entry.Offset].Kind & UnitKind.KindMask;
            }
        }

        var letterAfter = after == UnitKind.Letter;
        if (c is '$' or '@' or '€' or '¢')
        {
            // After a word of a letter or two it is a currency or an address ("US$5", "HK$"), not a letter.
            return letterAfter || (letterBefore && (after == UnitKind.LeetSymbol || stream.Length - wordStart >= MinLettersForEdgeLeet));
        }

        // "!" and "|" are punctuation far more often: only between a letter and a letter or digit.
        var strongAfter = after is UnitKind.Letter or UnitKind.Digit || (next < text.Length && text[next] is '@' or '$');
        return before && strongAfter && (letterBefore || letterAfter);
    }

    private static void Append(TextStream stream, Unit unit, char original, int start, int end, UnitFlags flags)
    {
        stream.EnsureRoom(1);
        var n = stream.Length;
        stream.Key[n] = unit.Key;
        stream.Visual[n] = unit.Visual;
        stream.VisualLast[n] = unit.Visual;
        stream.Fold[n] = unit.Fold;
        stream.FoldLast[n] = unit.Fold;
        stream.Original[n] = original;
        stream.Start[n] = start;
        stream.End[n] = end;
        stream.Run[n] = 1;
        stream.Flags[n] = flags;
        stream.Length = n + 1;
    }

    /// <summary>
    /// Ends the word in units [start, Length). Three or more single characters in a row, one separator apart
    /// and always the same separator, are one word ("n.i.k.e", "n i k e"; in "x n.i.k.e" the x stays out,
    /// and "h m" is two words). Then the context decisions are made for the word, or the group.
    /// </summary>
    private static void FinishWord(ReadOnlySpan<char> text, TextStream stream, int start, ref Group group)
    {
        var single = stream.Length - start == 1 && (stream.Flags[start] & UnitFlags.Unsegmented) == UnitFlags.None;
        var adjacent = single && group.Count is > 0 and < MaxGroup && stream.Start[start] - group.LastEnd == 1;
        var separator = adjacent ? text[group.LastEnd] : '\0';
        if (adjacent && (group.Count == 1 || separator == group.Separator))
        {
            group.Separator = separator;
            group.Count++;
            if (group.Count == 3)
            {
                Glue(stream, group.Start + 1, group.Start);
            }

            if (group.Count >= 3)
            {
                Glue(stream, start, group.Start);
                start = group.Start;
            }
        }
        else if (adjacent && group.Count == 2 && start == group.Start + 2)
        {
            // Another separator: the last single character starts a new run with this one ("x t-m-o").
            group.Start = start - 1;
            group.Separator = separator;
        }
        else
        {
            group.Start = start;
            group.Count = single ? 1 : 0;
        }

        Resolve(stream, start);
        group.LastEnd = stream.End[stream.Length - 1];
    }

    private static void Glue(TextStream stream, int unit, int groupStart)
    {
        stream.Flags[unit] = (stream.Flags[unit] & ~UnitFlags.HardBoundary) | UnitFlags.Spaced;
        for (var k = groupStart; k < stream.Length; k++)
        {
            stream.Flags[k] &= ~UnitFlags.SoftBoundary;
        }
    }

    /// <summary>Context decisions for the word in units [start, Length): leet digits, soft boundaries, repeats.</summary>
    private static void Resolve(TextStream stream, int start)
    {
        var end = stream.Length;
        var flags = stream.Flags;
        var letters = 0;
        var digits = 0;
        var strokes = false;
        for (var i = start; i < end; i++)
        {
            if ((flags[i] & UnitFlags.Digit) != UnitFlags.None)
            {
                digits++;
            }
            else
            {
                letters++;
                strokes |= stream.Original[i] is 'l' or 'I';
            }
        }

        if (digits > 0 && letters > 0)
        {
            ResolveDigits(stream, start, end, letters);
        }

        if (strokes && letters > 2)
        {
            ResolveCase(stream, start, end);
        }

        if (letters > 1)
        {
            CollapseRepeats(stream, start, end);
        }
    }

    /// <summary>
    /// I and l are one stroke in most sans-serif fonts, so the case of the other letters tells what the stroke
    /// is meant to be: a small l among capitals reads as I ("lKEA"), a capital I among small letters after the
    /// first reads as l ("GoogIe", "MobiIe").
    /// </summary>
    private static void ResolveCase(TextStream stream, int start, int end)
    {
        var upper = 0;
        var lower = 0;
        for (var i = start; i < end; i++)
        {
            var c = stream.Original[i];
            upper += char.IsUpper(c) ? 1 : 0;
            lower += char.IsLower(c) ? 1 : 0;
        }

        var firstUpper = char.IsUpper(stream.Original[start]) ? 1 : 0;
        for (var i = start; i < end; i++)
        {
            var disguise = stream.Original[i] switch
            {
                'l' when lower == 1 && upper >= 2 => 'i',
                'I' when i > start && upper == 1 + firstUpper && lower >= 2 => 'l',
                _ => '\0',
            };
            if (disguise != '\0')
            {
                stream.Visual[i] = disguise;
                stream.VisualLast[i] = disguise;
                stream.Flags[i] |= UnitFlags.CaseDisguise;
            }
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

            // A short digit run is a disguise between letters ("n1ke", "g00gle") and at the edge of a word
            // with enough letters ("nik3", "4didas"); even then it may be a model number ("iphone4"), so a soft
            // boundary keeps the letters beside it a word of their own.
            var leet = runEnd - i <= MaxLeetRun && (before && after || letters >= MinLettersForEdgeLeet);
            if (leet)
            {
                for (var d = i; d < runEnd; d++)
                {
                    var letter = Confusables.LeetLetter(stream.Fold[d]);
                    stream.Visual[d] = letter;
                    stream.VisualLast[d] = letter;
                    stream.Key[d] = Confusables.MergeLatinClass(letter);
                    flags[d] = (flags[d] & ~UnitFlags.Digit) | UnitFlags.Leet | UnitFlags.Latin;
                }

                if (!(before && after))
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

    /// <summary>
    /// Letters with the same key in a row become one unit with a count, so "nikkeee" reads "nike"; a digit
    /// read as a letter at the edge of a word joins the run it repeats ("fos5" is "foss").
    /// </summary>
    private static void CollapseRepeats(TextStream stream, int start, int end)
    {
        var flags = stream.Flags;
        var write = start + 1;
        for (var read = start + 1; read < end; read++)
        {
            var previous = write - 1;
            var joins = (flags[read] & UnitFlags.HardBoundary) == UnitFlags.None
                && ((flags[read] & UnitFlags.SoftBoundary) == UnitFlags.None || (flags[read] & UnitFlags.Leet) != UnitFlags.None);
            // Same key and same look: "ll" collapses, "li" does not (the key merges l and i, the eye does not).
            if (joins && (flags[read] & flags[previous] & UnitFlags.Latin) != UnitFlags.None
                && stream.Key[read] == stream.Key[previous] && stream.Visual[read] == stream.VisualLast[previous])
            {
                if (stream.Run[previous] < byte.MaxValue)
                {
                    stream.Run[previous]++;
                }

                stream.End[previous] = stream.End[read];
                stream.FoldLast[previous] = stream.FoldLast[read];
                stream.VisualLast[previous] = stream.VisualLast[read];
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
