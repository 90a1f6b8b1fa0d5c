using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tracemark.Matching.Automaton;
using Tracemark.Matching.Compilation;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Screening;

/// <summary>
/// Screens one text against a lexicon. Holds every buffer the work needs and is reused, one per thread,
/// so a text costs its hits and nothing else: normalise, run each compiled set's automaton and classify
/// what it finds, search edit-distance lookalikes word window by word window, settle overlaps, then
/// allocate the hits.
/// </summary>
internal sealed partial class Screener
{
    /// <summary>A text yields at most this many hits; the rest of a pathological text (a megabyte of one brand) is not reported.</summary>
    internal const int MaxHits = 10_000;

    /// <summary>A mark glued to other words ("nikeshoes") or split apart must have at least this many letters.</summary>
    internal const int MinMergedLetters = 4;

    /// <summary>Longest word (in folded letters) that is examined for a mark glued inside it.</summary>
    private const int MaxMergedWord = 48;

    [ThreadStatic]
    private static Screener? _cached;

    private TextStream _stream = new();
    private List<Candidate> _candidates = [];
    private readonly List<(CompiledSet Set, int Owner, int First, int Last)> _exclusions = [];
    private readonly char[] _fold = new char[MaxMergedWord + 16];
    private Lexicon _lexicon = null!;
    private ScreeningMode _mode;

    public static void Screen(Lexicon lexicon, ReadOnlySpan<char> text, ScreeningMode mode, ICollection<ScreeningHit> hits)
    {
        var screener = _cached ?? new Screener();
        _cached = null;
        try
        {
            screener.Run(lexicon, text, mode, hits);
        }
        finally
        {
            screener.Release();
            _cached = screener;
        }
    }

    // The screening loop and its hot callees are compiled optimised at their first call, not in tiers: the CLI
    // and server compile in tiers (Tracemark.Cli.csproj), and tiering cost full screening 4-20 % of its time
    // (docs/benchmarks.md, issue 6, 2026-11-22). The same attribute marks each of those callees.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(Lexicon lexicon, ReadOnlySpan<char> text, ScreeningMode mode, ICollection<ScreeningHit> hits)
    {
        _lexicon = lexicon;
        _mode = mode;
        _knownWords.UseFor(lexicon.Id);
        Scanner.Normalise(text, _stream);
        if (_stream.Length == 0)
        {
            return;
        }

        var keys = _stream.Key.AsSpan(0, _stream.Length);
        var flags = _stream.Flags.AsSpan(0, _stream.Length);
        if (mode == ScreeningMode.Full)
        {
            SplitWords();
        }

        foreach (var set in lexicon.Sets)
        {
            // Without glue nothing starts inside a word: the trie is walked from word starts only. With glue, also
            // from every unit of the words a mark may be glued into (not a word of the word list or of a mark).
            // It finds the same occurrences in another order, put back in the automaton's before anything
            // depends on it.
            var sink = new Sink(this, set);
            var candidates = _candidates.Count;
            var exclusions = _exclusions.Count;
            set.Automaton.ScanFromStarts(keys, flags, ref sink);
            if (mode == ScreeningMode.Full)
            {
                foreach (ref var word in CollectionsMarshal.AsSpan(_words))
                {
                    if (MayHoldGluedMark(ref word))
                    {
                        set.Automaton.ScanGlued(keys, flags, word.First, word.Last, ref sink);
                    }
                }
            }

            if (_candidates.Count < MaxHits)
            {
                InAutomatonOrder(CollectionsMarshal.AsSpan(_candidates)[candidates..]);
                continue;
            }

            // The cap was reached: which occurrences it kept depends on the order, so the automaton's is replayed.
            _candidates.RemoveRange(candidates, _candidates.Count - candidates);
            _exclusions.RemoveRange(exclusions, _exclusions.Count - exclusions);
            set.Automaton.ScanAligned(keys, flags, glue: mode == ScreeningMode.Full, ref sink);
        }

        if (mode == ScreeningMode.Full)
        {
            FindEditLookalikes();
        }

        Settle();
        Emit(text, hits);
    }

    /// <summary>
    /// Sorts candidates found walking from word starts into the order the automaton reports them: by end, then
    /// start, then pattern. There are few per text and they come nearly in that order.
    /// </summary>
    private static void InAutomatonOrder(Span<Candidate> candidates)
    {
        for (var i = 1; i < candidates.Length; i++)
        {
            var item = candidates[i];
            var k = i - 1;
            while (k >= 0 && Follows(candidates[k], item))
            {
                candidates[k + 1] = candidates[k];
                k--;
            }

            candidates[k + 1] = item;
        }

        static bool Follows(in Candidate a, in Candidate b) =>
            a.Last != b.Last ? a.Last > b.Last : a.First != b.First ? a.First > b.First : a.Pattern > b.Pattern;
    }

    private void Release()
    {
        _lexicon = null!;
        _exclusions.Clear();
        _words.Clear();
        if (_stream.Capacity > TextStream.RetainedCapacity)
        {
            _stream = new TextStream();
        }

        if (_letters.Length > TextStream.RetainedCapacity)
        {
            _letters = new char[256];
            _folded = new char[256];
            _prefix = new ulong[257];
        }

        if (_candidates.Capacity > 1024)
        {
            _candidates = [];
        }
        else
        {
            _candidates.Clear();
        }
    }

    private readonly struct Sink(Screener owner, CompiledSet set) : IPatternSink
    {
        public void OnMatch(int pattern, int end) => owner.OnPattern(set, pattern, end);
    }

    private void OnPattern(CompiledSet set, int pattern, int end)
    {
        // Most occurrences end inside a longer word ("ike" in "bike"): only a mark that may be glued to other
        // words, or followed by a plural s, survives that, so it is settled before anything else is read.
        var s = _stream;
        if (end < s.Length && (s.Flags[end] & (UnitFlags.Boundary | UnitFlags.Unsegmented)) == UnitFlags.None
            && (s.Flags[end - 1] & UnitFlags.Unsegmented) == UnitFlags.None
            && (_mode == ScreeningMode.ExactOnly || !set.MayGlue[pattern])
            && (s.Key[end] != 's' || !s.IsAligned(end + 1) || set.Patterns[pattern].Kind != PatternKind.Mark))
        {
            return;
        }

        if (_candidates.Count >= MaxHits)
        {
            return;
        }

        var info = set.Patterns[pattern];
        var first = end - info.Length;
        switch (info.Kind)
        {
            case PatternKind.Exclusion:
                if (_stream.IsAligned(first) && _stream.IsAligned(end))
                {
                    _exclusions.Add((set, info.Owner, first, end));
                }

                break;
            case PatternKind.RiskTerm:
                RiskTermHit(set, pattern, info, first, end);
                break;
            default:
                if (!_lexicon.IsMasked(set, info.Owner))
                {
                    MarkHit(set, pattern, info, first, end);
                }

                break;
        }
    }

    private void MarkHit(CompiledSet set, int pattern, PatternInfo info, int first, int end)
    {
        var s = _stream;
        var plural = !s.IsAligned(end) && IsPluralEnding(end, info);
        var signs = LookalikeSigns.None;
        var merged = !s.IsAligned(first) || !(plural || s.IsAligned(end));
        if (merged)
        {
            // A mark that is a common word glued to another is a compound ("powershot", "sonicwall").
            if (_mode == ScreeningMode.ExactOnly || info.OrdinaryWord || !IsGluedToWords(first, end, plural, info))
            {
                return;
            }

            signs |= LookalikeSigns.Merged;
        }

        // A digit read as a letter at the edge of a word belongs to that word ("nik3"); on its own beside a
        // model number's letters ("ddr3", "4gb") it is a digit, not a one-letter mark.
        const UnitFlags leetAlone = UnitFlags.SoftBoundary | UnitFlags.Leet;
        if ((s.Flags[first] & leetAlone) == leetAlone
            || (end < s.Length && (s.Flags[end] & UnitFlags.SoftBoundary) != UnitFlags.None && (s.Flags[end - 1] & UnitFlags.Leet) != UnitFlags.None))
        {
            return;
        }

        var candidate = new Candidate
        {
            Set = set,
            Kind = PatternKind.Mark,
            Owner = info.Owner,
            Name = info.Name,
            First = first,
            Last = end,
            Pattern = pattern,
        };
        var differences = 0;
        var omissions = 0;
        var chineseSwaps = 0;
        var split = false;
        Span<int> changed = stackalloc int[4];
        var changedCount = 0;
        for (var k = 0; k < info.Length; k++)
        {
            var j = first + k;
            var m = info.Offset + k;

            // A run's first and last characters both count: "g0ogle" has a disguised o.
            var firstDiffers = s.Fold[j] != set.Fold[m];
            var textFold = firstDiffers ? s.Fold[j] : s.FoldLast[j];
            var markFold = firstDiffers ? set.Fold[m] : set.FoldLast[m];
            var textFlags = s.Flags[j];
            var markFlags = set.Flags[m];
            var own = textFlags & ~markFlags;
            if ((own & UnitFlags.Compatibility) != UnitFlags.None)
            {
                signs |= LookalikeSigns.Compatibility;
            }

            if ((own & UnitFlags.Diacritic) != UnitFlags.None)
            {
                signs |= LookalikeSigns.Diacritic;
            }

            var letterChanged = false;
            if (textFold != markFold)
            {
                if ((markFlags & (UnitFlags.Digit | UnitFlags.Leet)) != UnitFlags.None)
                {
                    // The mark has a digit where the text has something else ("em" is not "3M").
                    return;
                }

                letterChanged = true;
                if ((textFlags & UnitFlags.Leet) != UnitFlags.None)
                {
                    signs |= LookalikeSigns.Leet;
                    SetDetail(ref candidate, j, set.Visual[m]);
                }
                else if (CharTable.IsUnsegmented(textFold) || CharTable.IsUnsegmented(markFold))
                {
                    if (CharTable.AreConfusableChinese(textFold, markFold))
                    {
                        chineseSwaps++;
                        signs |= LookalikeSigns.ChineseConfusable;
                        SetDetail(ref candidate, j, markFold);
                    }
                    else
                    {
                        // Traditional for simplified or the reverse: the same mark in the other script.
                        signs |= LookalikeSigns.OtherChineseScript;
                        letterChanged = false;
                    }
                }
                else
                {
                    if (char.IsAsciiLetterLower(textFold) && char.IsAsciiLetterLower(markFold) && (textFlags & UnitFlags.CaseDisguise) == UnitFlags.None)
                    {
                        // l for i (or I for l) only fools the eye among letters of the other case: "lKEA", not "arlo".
                        return;
                    }

                    signs |= LookalikeSigns.Homoglyph;
                    SetDetail(ref candidate, j, set.Visual[m]);
                }
            }
            else if ((own & UnitFlags.Leet) != UnitFlags.None && (markFlags & UnitFlags.Digit) == UnitFlags.None)
            {
                // A disguised letter inside a run of the same letter ("g0ogle").
                letterChanged = true;
                signs |= LookalikeSigns.Leet;
            }

            if (s.Run[j] > set.Run[m])
            {
                // A letter repeated ("Nikee") is a visual trick.
                letterChanged = true;
                signs |= LookalikeSigns.Repetition;
            }
            else if (s.Run[j] < set.Run[m])
            {
                // A double letter made single ("Gogle") is an edit, like any letter left out.
                letterChanged = true;
                omissions++;
                signs |= LookalikeSigns.Omission;
            }

            if (letterChanged)
            {
                differences++;
                if (changedCount < changed.Length)
                {
                    changed[changedCount++] = j;
                }
            }

            if (k > 0)
            {
                var textBreak = (textFlags & UnitFlags.Break) != UnitFlags.None;
                if (textBreak && (markFlags & UnitFlags.Break) == UnitFlags.None)
                {
                    if ((textFlags & UnitFlags.Spaced) != UnitFlags.None)
                    {
                        signs |= LookalikeSigns.Separator;
                    }
                    else
                    {
                        split = true;
                    }
                }
                else if (!textBreak && (markFlags & UnitFlags.HardBoundary) != UnitFlags.None)
                {
                    // Initials spaced out in the mark ("A.P.C.") are run together in ordinary writing: not counted.
                    signs |= LookalikeSigns.Joined;
                }
            }
        }

        if (chineseSwaps > 1 || (split && !IsPlausibleSplit(set, first, end, info, ref signs)))
        {
            return;
        }

        // Changed letters in a mark of three letters or fewer, or a swapped character in a one-character
        // Chinese mark, leave too little of the mark to tell a disguise from another word; a double letter
        // made single is an edit and follows the edit-distance rules (five letters, one edit).
        const LookalikeSigns letters = LookalikeSigns.Homoglyph | LookalikeSigns.Leet | LookalikeSigns.Repetition | LookalikeSigns.Omission | LookalikeSigns.ChineseConfusable;
        if (((signs & letters & ~LookalikeSigns.ChineseConfusable) != LookalikeSigns.None && info.Letters < MinMergedLetters)
            || ((signs & LookalikeSigns.ChineseConfusable) != LookalikeSigns.None && info.Length < 2)
            || (omissions > 0 && (info.Letters < FuzzyIndex.MinLetters || differences > 1)))
        {
            return;
        }

        // Cut apart, run together or glued to other words and disguised as well is too far from the mark to
        // be told from chance; initials run together ("apc" for "A.P.C.") are how initials are written.
        const LookalikeSigns spacing = LookalikeSigns.Merged | LookalikeSigns.Split | LookalikeSigns.Joined;
        if (((signs & spacing) != LookalikeSigns.None && (signs & letters) != LookalikeSigns.None)
            || ((signs & LookalikeSigns.Joined) != LookalikeSigns.None && info.ShortestWord < 2))
        {
            return;
        }

        // A different word of the language is not a lookalike ("bots" is not "Boots", "in" is not the "Inn" of
        // "Days Inn"); the mark's own letters spaced out or in full width are, even when the mark is itself in
        // the dictionary ("ｎｉｋｅ").
        var lookalike = (signs & ~LookalikeSigns.Informational) != LookalikeSigns.None;
        if (lookalike && _mode == ScreeningMode.ExactOnly)
        {
            return;
        }

        if (lookalike && !merged)
        {
            if ((signs & LookalikeSigns.Joined) != LookalikeSigns.None && IsOrdinaryWord(first, end))
            {
                return;
            }

            var arbitrary = IsArbitrary(signs);
            foreach (var unit in changed[..changedCount])
            {
                var wordStart = TextWordStart(unit, first);
                var wordEnd = TextWordEnd(unit, end);
                if (IsOrdinaryWord(wordStart, wordEnd) || (arbitrary && IsOtherLanguageWord(wordStart, wordEnd)))
                {
                    return;
                }
            }
        }

        candidate.Hit = lookalike ? HitKind.Lookalike : HitKind.Exact;
        candidate.Signs = signs;
        candidate.Distance = lookalike ? Math.Max(1, differences) : 0;
        candidate.Score = Reasons.Score(signs, differences, candidate.Distance, info.Letters);
        _candidates.Add(candidate);
    }

    private void RiskTermHit(CompiledSet set, int pattern, PatternInfo info, int first, int end)
    {
        var s = _stream;
        if (!s.IsAligned(first) || !s.IsAligned(end))
        {
            return;
        }

        var signs = LookalikeSigns.None;
        for (var k = 0; k < info.Length; k++)
        {
            var j = first + k;
            var m = info.Offset + k;
            if (s.Run[j] != set.Run[m])
            {
                // "aaa" is a risk term, "a" is not.
                return;
            }

            if (s.Fold[j] != set.Fold[m])
            {
                if ((set.Flags[m] & UnitFlags.Digit) != UnitFlags.None || CharTable.AreConfusableChinese(s.Fold[j], set.Fold[m]))
                {
                    return;
                }

                signs |= (s.Flags[j] & UnitFlags.Leet) != UnitFlags.None ? LookalikeSigns.Leet
                    : CharTable.IsUnsegmented(s.Fold[j]) ? LookalikeSigns.OtherChineseScript : LookalikeSigns.Homoglyph;
            }
        }

        _candidates.Add(new Candidate
        {
            Set = set,
            Kind = PatternKind.RiskTerm,
            Hit = HitKind.RiskTerm,
            Owner = info.Owner,
            First = first,
            Last = end,
            Pattern = pattern,
            Signs = signs,
            Score = 1.0,
        });
    }

    private static void SetDetail(ref Candidate candidate, int unit, char mark)
    {
        if (candidate.Detail == DetailShape.None)
        {
            candidate.Detail = DetailShape.For;
            candidate.DetailUnit = unit;
            candidate.DetailMark = mark;
        }
    }

    /// <summary>Start of the text's word (between hard boundaries) holding unit <paramref name="unit"/>, not before <paramref name="first"/>.</summary>
    private int TextWordStart(int unit, int first)
    {
        while (unit > first && (_stream.Flags[unit] & UnitFlags.HardBoundary) == UnitFlags.None)
        {
            unit--;
        }

        return unit;
    }

    /// <summary>End of the text's word holding unit <paramref name="unit"/>, not after <paramref name="end"/>.</summary>
    private int TextWordEnd(int unit, int end)
    {
        unit++;
        while (unit < end && (_stream.Flags[unit] & UnitFlags.HardBoundary) == UnitFlags.None)
        {
            unit++;
        }

        return unit;
    }

    /// <summary>"nikes", "nike's": a plural or possessive s right after a Latin mark does not make it part of a longer word.</summary>
    private bool IsPluralEnding(int end, PatternInfo info)
    {
        var s = _stream;
        return info.Letters >= 3 && end < s.Length && s.Key[end] == 's' && s.Run[end] == 1
            && (s.Flags[end] & UnitFlags.Boundary) == UnitFlags.None && (s.Flags[end - 1] & UnitFlags.Latin) != UnitFlags.None
            && s.IsAligned(end + 1);
    }

    /// <summary>
    /// A mark inside a longer word is a lookalike only when the rest of the word is made of common words
    /// or digits ("nikeshoes", "buyadidas2024"), and the word itself is not an ordinary word ("pineapple");
    /// names glued to names ("Fujifilm", "innovera") are how brands are made.
    /// </summary>
    private bool IsGluedToWords(int first, int end, bool plural, PatternInfo info)
    {
        var s = _stream;
        if (info.Letters < MinMergedLetters)
        {
            return false;
        }

        for (var k = first; k < end; k++)
        {
            if ((k > first && (s.Flags[k] & UnitFlags.HardBoundary) != UnitFlags.None) || (s.Flags[k] & UnitFlags.Unsegmented) != UnitFlags.None)
            {
                return false;
            }
        }

        var wordStart = s.IsAligned(first) ? first : s.WordStart(first);
        var tail = plural ? end + 1 : end;
        var wordEnd = s.IsAligned(tail) ? tail : s.WordEnd(tail - 1);
        if (s.FoldLength(wordStart, wordEnd) > MaxMergedWord || IsWord(wordStart, wordEnd))
        {
            return false;
        }

        return IsExplained(wordStart, first) && IsExplained(tail, wordEnd) && FollowsCase(wordStart, first, tail, wordEnd);
    }

    /// <summary>
    /// A word written in camel case shows its writer's own word breaks ("evoSPEED", "VivoBook"): a mark glued
    /// inside it must start and end at those breaks or at the word's edges, or it is a chance run of letters
    /// ("EVOS" in "evoSPEED").
    /// </summary>
    private bool FollowsCase(int wordStart, int first, int end, int wordEnd)
    {
        var s = _stream;
        var camel = false;
        for (var k = wordStart + 1; k < wordEnd && !camel; k++)
        {
            camel = IsCaseBreak(k);
        }

        return !camel || ((first == wordStart || IsCaseBreak(first)) && (end >= wordEnd || IsCaseBreak(end) || !char.IsLetter(s.Original[end])));
    }

    /// <summary>
    /// A word break shown by case before unit <paramref name="k"/>: a small letter then a capital ("Vivo|Book"), or
    /// the end of a run of capitals before small letters, read either way ("NIKE|shoes", "HTML|Parser").
    /// </summary>
    private bool IsCaseBreak(int k)
    {
        var o = _stream.Original;
        return (char.IsLower(o[k - 1]) && char.IsUpper(o[k]))
            || (k >= 2 && char.IsUpper(o[k - 2]) && char.IsUpper(o[k - 1]) && char.IsLower(o[k]))
            || (k + 1 < _stream.Length && char.IsUpper(o[k - 1]) && char.IsUpper(o[k]) && char.IsLower(o[k + 1]));
    }

    private const int MinGluedWord = 3;

    /// <summary>
    /// A word of the mark cut into pieces ("adi das", "pow_er", "fresh_stop") is a disguise, unless it is cut
    /// by spaces into common words: "sea gate" and "in time" are ordinary text, not "Seagate" and "InTime".
    /// </summary>
    private bool IsPlausibleSplit(CompiledSet set, int first, int end, PatternInfo info, ref LookalikeSigns signs)
    {
        var s = _stream;
        if (info.Letters < MinMergedLetters)
        {
            return false;
        }

        var wordFirst = first;
        for (var k = first + 1; k <= end; k++)
        {
            if (k < end && (set.Flags[info.Offset + k - first] & UnitFlags.Break) == UnitFlags.None)
            {
                continue;
            }

            // Units [wordFirst, k) are one word of the mark: are its pieces in the text all common words?
            var pieces = 0;
            var ordinary = true;
            var pieceStart = wordFirst;
            for (var p = wordFirst + 1; p <= k; p++)
            {
                if (p == k || (s.Flags[p] & UnitFlags.HardBoundary) != UnitFlags.None)
                {
                    pieces++;
                    ordinary &= IsCommonWord(pieceStart, p) && (p == k || (s.Flags[p] & UnitFlags.SpaceBefore) != UnitFlags.None);
                    pieceStart = p;
                }
            }

            if (pieces > 1 && ordinary)
            {
                return false;
            }

            wordFirst = k;
        }

        signs |= LookalikeSigns.Split;
        return true;
    }

    private bool IsCommonWord(int from, int to) =>
        _stream.FoldLength(from, to) <= _fold.Length && _lexicon.Words.ContainsCommonOrCatalogueFolded(_fold.AsSpan(0, _stream.CopyFold(from, to, _fold)));

    /// <summary>True when units [from, to), folded, are a word of the word list.</summary>
    private bool IsOrdinaryWord(int from, int to)
    {
        var length = _stream.FoldLength(from, to);
        return length <= _fold.Length && _lexicon.Words.ContainsFolded(_fold.AsSpan(0, _stream.CopyFold(from, to, _fold)));
    }

    /// <summary>True when units [from, to), folded, are a word of another language's list.</summary>
    private bool IsOtherLanguageWord(int from, int to)
    {
        var length = _stream.FoldLength(from, to);
        return length <= _fold.Length && _lexicon.Words.IsOtherLanguageFolded(_fold.AsSpan(0, _stream.CopyFold(from, to, _fold)));
    }

    /// <summary>
    /// Only arbitrary edits, or a letter doubled, and nothing drawn to deceive (another alphabet, digits, spacing):
    /// weak evidence, which a word of another language spelt that way explains better ("homme", "Tiempo"). Full
    /// width is how some texts write every Latin word, so "ＴＩＥＭＰＯ" is the Spanish word too.
    /// </summary>
    private static bool IsArbitrary(LookalikeSigns signs)
    {
        const LookalikeSigns arbitrary = LookalikeSigns.Edits | LookalikeSigns.Repetition;
        return (signs & ~(arbitrary | LookalikeSigns.Compatibility | LookalikeSigns.Informational)) == LookalikeSigns.None
            && (signs & arbitrary) != LookalikeSigns.None;
    }

    /// <summary>True when units [from, to), folded, are an ordinary word or a word of a mark.</summary>
    private bool IsWord(int from, int to)
    {
        var length = _stream.FoldLength(from, to);
        if (length > _fold.Length)
        {
            return false;
        }

        return IsKnown(_fold.AsSpan(0, _stream.CopyFold(from, to, _fold)));
    }

    private bool IsKnown(ReadOnlySpan<char> folded) => _lexicon.Words.ContainsFolded(folded) || IsMarkWord(folded, FoldedWords.Hash(folded));

    private bool IsMarkWord(ReadOnlySpan<char> folded, ulong hash)
    {
        foreach (var set in _lexicon.Sets)
        {
            if (set.MarkWordTable.Contains(folded, hash))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether units [from, to) are empty, digits, or one common word of three letters or more ("shoes").</summary>
    private bool IsExplained(int from, int to)
    {
        var s = _stream;
        if (from >= to)
        {
            return true;
        }

        var digits = true;
        for (var k = from; k < to && digits; k++)
        {
            digits = s.IsDigit(k);
        }

        if (digits)
        {
            return true;
        }

        var length = s.FoldLength(from, to);
        return length >= MinGluedWord && length <= _fold.Length && _lexicon.Words.ContainsCommonFolded(_fold.AsSpan(0, s.CopyFold(from, to, _fold)));
    }

    /// <summary>Drops hits inside a mark's exclusions and keeps the best of overlapping hits of one mark.</summary>
    private void Settle()
    {
        var candidates = CollectionsMarshal.AsSpan(_candidates);
        if (_exclusions.Count > 0)
        {
            foreach (ref var candidate in candidates)
            {
                foreach (var (set, owner, first, last) in _exclusions)
                {
                    if (candidate.Kind == PatternKind.Mark && candidate.Set == set && candidate.Owner == owner
                        && first <= candidate.First && candidate.Last <= last)
                    {
                        candidate.Hit = Dropped;
                    }
                }
            }
        }

        candidates.Sort(static (a, b) => a.First != b.First ? a.First.CompareTo(b.First) : b.Last.CompareTo(a.Last));
        DropLookalikesInsideOtherMarks(candidates);
        for (var i = 0; i < candidates.Length; i++)
        {
            ref var a = ref candidates[i];
            if (a.Hit == Dropped)
            {
                continue;
            }

            for (var j = i + 1; j < candidates.Length && candidates[j].First < a.Last; j++)
            {
                ref var b = ref candidates[j];
                if (b.Hit == Dropped || b.Set != a.Set || b.Owner != a.Owner || b.Kind != a.Kind)
                {
                    continue;
                }

                if (b.Score > a.Score)
                {
                    a.Hit = Dropped;
                    break;
                }

                b.Hit = Dropped;
            }
        }
    }

    /// <summary>
    /// A lookalike inside an exact hit of another mark (or that mark's letters in full width) is that mark, not a
    /// disguise of this one: where a registry holds both "Neto" and "Netto", "Neto" is no lookalike of Netto, nor
    /// "Fujifilm" a glued "Fuji". One pass over the candidates sorted by start: an exact hit that starts at or before
    /// a lookalike holds it when it ends at or after it, so the two exact hits of different marks that reach farthest
    /// are all it needs to remember.
    /// </summary>
    private static void DropLookalikesInsideOtherMarks(Span<Candidate> candidates)
    {
        var farthest = (Last: -1, Set: (CompiledSet?)null, Owner: -1);
        var other = (Last: -1, Set: (CompiledSet?)null, Owner: -1);
        for (var group = 0; group < candidates.Length;)
        {
            var next = group;
            while (next < candidates.Length && candidates[next].First == candidates[group].First)
            {
                ref readonly var e = ref candidates[next++];
                if (!IsOwnLetters(e) || e.Last <= other.Last)
                {
                    continue;
                }

                var hit = (e.Last, (CompiledSet?)e.Set, e.Owner);
                if (e.Set == farthest.Set && e.Owner == farthest.Owner)
                {
                    farthest.Last = Math.Max(farthest.Last, e.Last);
                }
                else if (e.Last > farthest.Last)
                {
                    other = farthest;
                    farthest = hit;
                }
                else
                {
                    other = hit;
                }
            }

            for (var k = group; k < next; k++)
            {
                ref var c = ref candidates[k];
                if (c.Hit != HitKind.Lookalike || c.Kind != PatternKind.Mark || IsOwnLetters(c))
                {
                    continue;
                }

                var inFarthest = farthest.Last >= c.Last && (farthest.Set != c.Set || farthest.Owner != c.Owner);
                if (inFarthest || other.Last >= c.Last)
                {
                    c.Hit = Dropped;
                }
            }

            group = next;
        }
    }

    /// <summary>A mark's own letters as the mark writes them, or in full width ("ＮＥＴＯ").</summary>
    private static bool IsOwnLetters(in Candidate candidate) =>
        candidate.Kind == PatternKind.Mark && (candidate.Hit == HitKind.Exact
            || (candidate.Hit == HitKind.Lookalike && candidate.Pattern >= 0 && (candidate.Signs & ~(LookalikeSigns.Compatibility | LookalikeSigns.Informational)) == LookalikeSigns.None));

    private const HitKind Dropped = (HitKind)byte.MaxValue;
}
