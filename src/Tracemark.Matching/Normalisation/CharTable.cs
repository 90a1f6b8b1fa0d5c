using System.Collections.Frozen;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Tracemark.Matching.Normalisation;

/// <summary>How a character takes part in the normalised stream.</summary>
internal enum CharClass : byte
{
    /// <summary>Whitespace, punctuation, symbols, lone surrogates: ends a word.</summary>
    Separator,

    /// <summary>Contributes one or more units (letters, digits, leet symbols).</summary>
    Units,

    /// <summary>Vanishes without ending a word: apostrophes, zero-width characters, soft hyphens, variation selectors.</summary>
    Ignorable,

    /// <summary>A combining mark: belongs to the unit before it and counts as a diacritic.</summary>
    CombiningMark,

    /// <summary>A UTF-16 surrogate: the scanner looks at the code point.</summary>
    Surrogate,
}

[Flags]
internal enum UnitKind : byte
{
    Letter = 0,
    Digit = 1,

    /// <summary>A symbol that reads as a letter inside a word ($, @, !, |).</summary>
    LeetSymbol = 2,
    KindMask = 3,

    /// <summary>A script written without spaces (Han, kana, Thai…): a mark may start or end at any of its characters.</summary>
    Unsegmented = 4,

    /// <summary>The key is a basic Latin letter: repeats of it collapse.</summary>
    Latin = 8,
}

/// <summary>One unit of the normalised stream as the table gives it, before context (leet, repeats) is applied.</summary>
/// <param name="Fold">NFKD, diacritics removed, case folded: what the text says, letter for letter.</param>
/// <param name="Visual">Fold with lookalike letters replaced by the Latin letter they imitate, traditional Chinese simplified.</param>
/// <param name="Key">Visual with letters that stand for each other merged (l = i, confusable Chinese groups): what the automaton indexes.</param>
/// <param name="Kind">Letter, digit or leet symbol, and how it segments.</param>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct Unit(char Fold, char Visual, char Key, UnitKind Kind);

[Flags]
internal enum CharFlags : byte
{
    None = 0,

    /// <summary>NFKC changed the character (full-width, math alphanumerics, ligatures, circled letters…).</summary>
    Compatibility = 1,

    /// <summary>Accents or strokes were removed.</summary>
    Diacritic = 2,
}

[StructLayout(LayoutKind.Auto)]
internal readonly record struct CharEntry(CharClass Class, CharFlags Flags, byte Count, int Offset);

/// <summary>
/// What every character of the Basic Multilingual Plane (and the supplementary letters that NFKC folds)
/// becomes in the normalised stream, computed once from .NET's Unicode normalisation (ICU) and the
/// project's tables of facts, so that normalising a text is one table look-up per character.
/// </summary>
internal static class CharTable
{
    private static readonly Lazy<Tables> Instance = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    internal static Tables Current => Instance.Value;

    internal sealed class Tables
    {
        public required CharEntry[] Bmp { get; init; }
        public required Unit[] Units { get; init; }
        public required FrozenDictionary<int, CharEntry> Supplementary { get; init; }
        public required FrozenDictionary<char, char> Simplified { get; init; }
        public required FrozenDictionary<char, char> ChineseGroup { get; init; }
    }

    /// <summary>True when both are Chinese characters of one confusable group (after simplification).</summary>
    internal static bool AreConfusableChinese(char a, char b)
    {
        var tables = Current;
        var sa = tables.Simplified.GetValueOrDefault(a, a);
        var sb = tables.Simplified.GetValueOrDefault(b, b);
        return tables.ChineseGroup.TryGetValue(sa, out var ga) && tables.ChineseGroup.TryGetValue(sb, out var gb) && ga == gb;
    }

    internal static bool IsUnsegmented(int c) =>
        c is (>= 0x2E80 and <= 0x2FDF) or (>= 0x3005 and <= 0x3007) or (>= 0x3040 and <= 0x31FF)
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0xFF66 and <= 0xFF9F) or (>= 0x0E00 and <= 0x0EFF) or (>= 0x1000 and <= 0x109F)
            or (>= 0x1780 and <= 0x17FF) or (>= 0x20000 and <= 0x3FFFF);

    private static Tables Build()
    {
        var simplified = new Dictionary<char, char>(ChineseScripts.Traditional.Length);
        for (var i = 0; i < ChineseScripts.Traditional.Length; i++)
        {
            simplified[ChineseScripts.Traditional[i]] = ChineseScripts.Simplified[i];
        }

        var group = BuildChineseGroups(simplified);
        var toLatin = Pairs(Confusables.ToLatin);
        var stroked = Pairs(Confusables.Stroked);
        var leet = Pairs(Confusables.Leet);
        var builder = new Builder(simplified, group, toLatin, stroked);

        var bmp = new CharEntry[0x10000];
        for (var c = 0; c < 0x10000; c++)
        {
            bmp[c] = c switch
            {
                >= 0xD800 and <= 0xDFFF => new CharEntry(CharClass.Surrogate, CharFlags.None, 0, 0),
                _ when leet.TryGetValue((char)c, out var letter) && !char.IsAsciiDigit((char)c) =>
                    builder.Add(CharFlags.None, [new Unit((char)c, letter, Confusables.MergeLatinClass(letter), UnitKind.LeetSymbol | UnitKind.Latin)]),
                _ => builder.Describe(char.ConvertFromUtf32(c)),
            };
        }

        // Outside the BMP only letters that NFKC folds need an entry (mathematical alphanumerics,
        // enclosed letters, compatibility ideographs); other letters pass through as they are.
        var supplementary = new Dictionary<int, CharEntry>();
        foreach (var (first, last) in new[] { (0x1D400, 0x1D7FF), (0x1F100, 0x1F1FF), (0x2F800, 0x2FA1F) })
        {
            for (var cp = first; cp <= last; cp++)
            {
                var text = char.ConvertFromUtf32(cp);
                if (!text.IsNormalized(NormalizationForm.FormKD))
                {
                    supplementary[cp] = builder.Describe(text);
                }
            }
        }

        return new Tables
        {
            Bmp = bmp,
            Units = [.. builder.Units],
            Supplementary = supplementary.ToFrozenDictionary(),
            Simplified = simplified.ToFrozenDictionary(),
            ChineseGroup = group.ToFrozenDictionary(),
        };
    }

    private static Dictionary<char, char> Pairs(string pairs)
    {
        var map = new Dictionary<char, char>(pairs.Length / 2);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            map[pairs[i]] = pairs[i + 1];
        }

        return map;
    }

    /// <summary>Each character of a confusable group maps to the group's first character; groups sharing a character merge.</summary>
    private static Dictionary<char, char> BuildChineseGroups(Dictionary<char, char> simplified)
    {
        var parent = new Dictionary<char, char>();
        char Find(char c)
        {
            while (parent.TryGetValue(c, out var p) && p != c)
            {
                c = p;
            }

            return c;
        }

        foreach (var line in ChineseConfusables.Groups)
        {
            var first = Find(simplified.GetValueOrDefault(line[0], line[0]));
            parent.TryAdd(first, first);
            foreach (var member in line)
            {
                var root = Find(simplified.GetValueOrDefault(member, member));
                parent.TryAdd(root, root);
                if (root != first)
                {
                    parent[root] = first;
                }
            }
        }

        var result = new Dictionary<char, char>(parent.Count);
        foreach (var c in parent.Keys)
        {
            result[c] = Find(c);
        }

        return result;
    }

    private sealed class Builder(Dictionary<char, char> simplified, Dictionary<char, char> group, Dictionary<char, char> toLatin, Dictionary<char, char> stroked)
    {
        public List<Unit> Units { get; } = [];

        private readonly List<Unit> _scratch = [];

        public CharEntry Add(CharFlags flags, List<Unit> units)
        {
            var offset = Units.Count;
            Units.AddRange(units);
            return new CharEntry(CharClass.Units, flags, (byte)units.Count, offset);
        }

        /// <summary>Works out what one code point (given as a string) becomes.</summary>
        public CharEntry Describe(string text)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(text, 0);
            var first = char.ConvertToUtf32(text, 0);

            // Trade mark signs decompose to letters ("TM") that would glue onto the word before them.
            if (first is 0x2122 or 0x2120 or 0x00AE or 0x00A9 or 0x2117)
            {
                return new CharEntry(CharClass.Separator, CharFlags.None, 0, 0);
            }

            if (first is '\'' or '\u2019' or '\u2018' or '\u02BC' or '`' or '\u00B4' or '\u00AD'
                || category == UnicodeCategory.Format
                || first is (>= 0xFE00 and <= 0xFE0F) or 0x034F)
            {
                return new CharEntry(CharClass.Ignorable, CharFlags.None, 0, 0);
            }

            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark)
            {
                return new CharEntry(CharClass.CombiningMark, CharFlags.Diacritic, 0, 0);
            }

            // Hangul syllables would decompose into jamo; they are letters as they stand.
            if (first is >= 0xAC00 and <= 0xD7A3)
            {
                var syllable = (char)first;
                return Add(CharFlags.None, [new Unit(syllable, syllable, syllable, UnitKind.Letter)]);
            }

            string canonical, compatible;
            try
            {
                canonical = text.Normalize(NormalizationForm.FormD);
                compatible = text.Normalize(NormalizationForm.FormKD);
            }
            catch (ArgumentException)
            {
                return new CharEntry(CharClass.Separator, CharFlags.None, 0, 0);
            }

            var flags = canonical == compatible ? CharFlags.None : CharFlags.Compatibility;
            _scratch.Clear();
            for (var i = 0; i < compatible.Length; i++)
            {
                var d = compatible[i];
                if (char.IsSurrogate(d))
                {
                    // A supplementary letter that stays itself (CJK extension B…): both code units pass through.
                    if (char.IsHighSurrogate(d) && i + 1 < compatible.Length && char.IsLetter(compatible, i))
                    {
                        var kind = IsUnsegmented(char.ConvertToUtf32(d, compatible[i + 1])) ? UnitKind.Unsegmented : UnitKind.Letter;
                        _scratch.Add(new Unit(d, d, d, kind));
                        _scratch.Add(new Unit(compatible[i + 1], compatible[i + 1], compatible[i + 1], kind));
                        i++;
                    }

                    continue;
                }

                switch (CharUnicodeInfo.GetUnicodeCategory(d))
                {
                    case UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark:
                        flags |= CharFlags.Diacritic;
                        break;
                    case UnicodeCategory.Format:
                        break;
                    case UnicodeCategory.DecimalDigitNumber:
                        var digit = (char)('0' + (int)CharUnicodeInfo.GetNumericValue(d));
                        _scratch.Add(new Unit(digit, digit, digit, UnitKind.Digit));
                        break;
                    case UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber
                        or UnicodeCategory.SpacingCombiningMark:
                        AddLetter(d, ref flags);
                        break;
                    default:
                        // Punctuation inside a decomposition ("½" is "1⁄2", "㈱" is "(株)") is dropped, not a word break.
                        break;
                }
            }

            if (_scratch.Count == 0)
            {
                return new CharEntry(flags.HasFlag(CharFlags.Diacritic) ? CharClass.CombiningMark : CharClass.Separator, flags, 0, 0);
            }

            return Add(flags, _scratch);
        }

        private void AddLetter(char d, ref CharFlags flags)
        {
            if (d is 'ß' or 'ẞ')
            {
                _scratch.Add(new Unit('s', 's', 's', UnitKind.Latin));
                _scratch.Add(new Unit('s', 's', 's', UnitKind.Latin));
                return;
            }

            var lower = d == 'ς' ? 'σ' : char.ToLowerInvariant(d);
            var fold = lower;
            if (stroked.TryGetValue(d, out var plain) || stroked.TryGetValue(lower, out plain))
            {
                fold = char.ToLowerInvariant(plain);
                flags |= CharFlags.Diacritic;
            }

            var visual = toLatin.TryGetValue(d, out var latin) || toLatin.TryGetValue(lower, out latin) ? latin : fold;
            visual = simplified.GetValueOrDefault(visual, visual);
            var key = group.TryGetValue(visual, out var representative) ? representative : Confusables.MergeLatinClass(visual);
            var kind = UnitKind.Letter;
            if (key is >= 'a' and <= 'z')
            {
                kind |= UnitKind.Latin;
            }

            if (IsUnsegmented(fold))
            {
                kind |= UnitKind.Unsegmented;
            }

            _scratch.Add(new Unit(fold, visual, key, kind));
        }
    }
}
