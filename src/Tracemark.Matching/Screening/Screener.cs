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
    private const int MinMergedLetters = 4;

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

    private void Run(Lexicon lexicon, ReadOnlySpan<char> text, ScreeningMode mode, ICollection<ScreeningHit> hits)
    {
        _lexicon = lexicon;
        _mode = mode;
        Scanner.Normalise(text, _stream);
        if (_stream.Length == 0)
        {
            return;
        }

        foreach (var set in lexicon.Sets)
        {
            var sink = new Sink(this, set);
            set.Automaton.Scan(_stream.Key.AsSpan(0, _stream.Length), ref sink);
        }

        if (mode == ScreeningMode.Full)
        {
            FindEditLookalikes();
        }

        Settle();
        Emit(text, hits);
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
        if (!s.IsAligned(first) || !(plural || s.IsAligned(end)))
        {
            if (_mode == ScreeningMode.ExactOnly || !IsGluedToWords(first, end, plural, info))
            {
                return;
            }

            signs |= LookalikeSigns.Merged;
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
        var chineseSwaps = 0;
        var split = false;
        for (var k = 0; k < info.Length; k++)
        {
            var j = first + k;
            var m = info.Offset + k;
            var textFold = s.Fold[j];
            var markFold = set.Fold[m];
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

            if (textFold != markFold)
            {
                if ((markFlags & UnitFlags.Digit) != UnitFlags.None)
                {
                    // The mark has a digit where the text has a letter ("em" is not "3M").
                    return;
                }

                differences++;
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
                        differences--;
                    }
                }
                else
                {
                    signs |= LookalikeSigns.Homoglyph;
                    SetDetail(ref candidate, j, set.Visual[m]);
                }
            }
            else if ((own & UnitFlags.Leet) != UnitFlags.None)
            {
                // A disguised letter inside a run of the same letter ("g0ogle").
                differences++;
                signs |= LookalikeSigns.Leet;
            }

            if (s.Run[j] != set.Run[m])
            {
                differences++;
                signs |= LookalikeSigns.Repetition;
            }

            if (k > 0)
            {
                var textBreak = (textFlags & UnitFlags.HardBoundary) != UnitFlags.None;
                var markBreak = (markFlags & UnitFlags.HardBoundary) != UnitFlags.None;
                if (textBreak && !markBreak)
                {
                    split = true;
                }
                else if (!textBreak && markBreak)
                {
                    signs |= LookalikeSigns.Joined;
                }
            }
        }

        if (chineseSwaps > 1 || (split && !IsPlausibleSplit(first, end, info, ref signs)))
        {
            return;
        }

        // A different word of the language is not a lookalike ("bots" is not "Boots"); the mark's own letters
        // spaced out or in full width are, even when the mark is itself in the dictionary ("ｎｉｋｅ").
        var lookalike = (signs & ~LookalikeSigns.OtherChineseScript) != LookalikeSigns.None;
        if (lookalike && (_mode == ScreeningMode.ExactOnly
            || (differences > 0 && (signs & LookalikeSigns.Merged) == LookalikeSigns.None && IsOrdinaryWord(first, end))))
        {
            return;
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

    /// <summary>"nikes", "nike's": a plural or possessive s right after a Latin mark does not make it part of a longer word.</summary>
    private bool IsPluralEnding(int end, PatternInfo info)
    {
        var s = _stream;
        return info.Letters >= 3 && end < s.Length && s.Key[end] == 's' && s.Run[end] == 1
            && (s.Flags[end] & UnitFlags.Boundary) == UnitFlags.None && (s.Flags[end - 1] & UnitFlags.Latin) != UnitFlags.None
            && s.IsAligned(end + 1);
    }

    /// <summary>
    /// A mark inside a longer word is a lookalike only when the rest of the word is made of known words
    /// or digits ("nikeshoes", "buyadidas2024"), and the word itself is not an ordinary word ("pineapple").
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

        return IsExplained(wordStart, first) && IsExplained(tail, wordEnd);
    }

    /// <summary>
    /// Letters spaced out one by one ("n i k e") are a disguise; a name cut into pieces is one unless every
    /// piece is an ordinary word ("sea gate" is not "Seagate").
    /// </summary>
    private bool IsPlausibleSplit(int first, int end, PatternInfo info, ref LookalikeSigns signs)
    {
        var s = _stream;
        if (info.Letters < MinMergedLetters)
        {
            return false;
        }

        var single = true;
        var ordinary = true;
        var pieceStart = first;
        for (var k = first + 1; k <= end; k++)
        {
            if (k < end && (s.Flags[k] & UnitFlags.HardBoundary) == UnitFlags.None)
            {
                continue;
            }

            var letters = s.FoldLength(pieceStart, k);
            single &= letters == 1;
            ordinary &= letters >= 2 && IsWord(pieceStart, k);
            pieceStart = k;
        }

        if (single)
        {
            signs |= LookalikeSigns.Separator;
            return true;
        }

        signs |= LookalikeSigns.Split;
        return !ordinary;
    }

    /// <summary>True when units [from, to), folded, are a word of the word list.</summary>
    private bool IsOrdinaryWord(int from, int to)
    {
        var length = _stream.FoldLength(from, to);
        return length <= _fold.Length && _lexicon.Words.ContainsFolded(_fold.AsSpan(0, _stream.CopyFold(from, to, _fold)));
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

    private bool IsKnown(ReadOnlySpan<char> folded)
    {
        if (_lexicon.Words.ContainsFolded(folded))
        {
            return true;
        }

        foreach (var set in _lexicon.Sets)
        {
            if (set.MarkWordLookup.Contains(folded))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether units [from, to) are empty, digits, or a sequence of known words of two letters or more.</summary>
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
        if (length < 2 || length > _fold.Length)
        {
            return false;
        }

        s.CopyFold(from, to, _fold);
        Span<bool> reachable = stackalloc bool[length + 1];
        reachable[0] = true;
        for (var i = 0; i < length; i++)
        {
            if (!reachable[i])
            {
                continue;
            }

            for (var j = i + 2; j <= length; j++)
            {
                if (!reachable[j] && IsKnown(_fold.AsSpan(i, j - i)))
                {
                    reachable[j] = true;
                }
            }
        }

        return reachable[length];
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

    private const HitKind Dropped = (HitKind)byte.MaxValue;
}
