using Tracemark.Matching.Automaton;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Compilation;

/// <summary>Compiles marks, risk terms and exclusions into a <see cref="CompiledSet"/>.</summary>
internal sealed class Compiler
{
    private readonly TextStream _stream = new();
    private readonly List<char> _keys = [];
    private readonly List<int> _offsets = [0];
    private readonly List<PatternInfo> _patterns = [];
    private readonly List<char> _fold = [];
    private readonly List<char> _foldLast = [];
    private readonly List<char> _visual = [];
    private readonly List<char> _visualLast = [];
    private readonly List<byte> _run = [];
    private readonly List<UnitFlags> _flags = [];
    private readonly List<FuzzyName> _fuzzyNames = [];
    private readonly List<char> _fuzzyLetters = [];
    private readonly HashSet<string> _markWords = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenKeys = new(StringComparer.Ordinal);
    private readonly char[] _scratch = new char[256];
    private readonly WordList _words;

    private Compiler(WordList words) => _words = words;

    /// <summary>The unit data of one pattern while its variants are worked out.</summary>
    private struct PatternUnit
    {
        public char Key;
        public char Fold;
        public char FoldLast;
        public char Visual;
        public char VisualLast;
        public byte Run;
        public UnitFlags Flags;
    }

    public static CompiledSet Compile(IReadOnlyList<Mark> marks, IReadOnlyList<RiskTerm> riskTerms, WordList words)
    {
        var compiler = new Compiler(words);
        var markIds = new string[marks.Count];
        var markNames = new string[marks.Count][];
        for (var m = 0; m < marks.Count; m++)
        {
            markIds[m] = marks[m].Id;
            markNames[m] = [.. marks[m].Names];
            for (var n = 0; n < markNames[m].Length; n++)
            {
                compiler.AddName(m, n, markNames[m][n]);
            }

            var exclusions = marks[m].Exclusions ?? [];
            for (var e = 0; e < exclusions.Count; e++)
            {
                compiler.AddPhrase(PatternKind.Exclusion, m, e, exclusions[e]);
            }
        }

        var literals = new string?[riskTerms.Count];
        for (var t = 0; t < riskTerms.Count; t++)
        {
            compiler.AddPhrase(PatternKind.RiskTerm, t, 0, riskTerms[t].Term);
            literals[t] = NeedsLiteral(riskTerms[t].Term) ? Literal(riskTerms[t].Term) : null;
        }

        return compiler.Finish(markIds, markNames, [.. riskTerms], literals);
    }

    /// <summary>
    /// Folds a phrase the way risk terms with punctuation are compared: letters and digits folded, white
    /// space dropped, every other character kept ("1 : 1" is "1:1", "11" is not).
    /// </summary>
    internal static string Literal(ReadOnlySpan<char> text)
    {
        var tables = CharTable.Current;
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
        {
            var entry = tables.Bmp[c];
            if (entry.Class == CharClass.Units)
            {
                for (var u = 0; u < entry.Count; u++)
                {
                    builder.Append(tables.Units[entry.Offset + u].Fold);
                }
            }
            else if (entry.Class == CharClass.Separator && !char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsLiteral(string term)
    {
        foreach (var c in term)
        {
            if (!char.IsLetter(c) && !char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private List<PatternUnit> Units()
    {
        var units = new List<PatternUnit>(_stream.Length);
        for (var i = 0; i < _stream.Length; i++)
        {
            units.Add(new PatternUnit
            {
                Key = _stream.Key[i],
                Fold = _stream.Fold[i],
                FoldLast = _stream.FoldLast[i],
                Visual = _stream.Visual[i],
                VisualLast = _stream.VisualLast[i],
                Run = _stream.Run[i],
                Flags = _stream.Flags[i],
            });
        }

        return units;
    }

    private void AddName(int mark, int name, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        Scanner.Normalise(text, _stream);
        if (_stream.Length == 0)
        {
            return;
        }

        var units = Units();
        _seenKeys.Clear();
        AddPattern(PatternKind.Mark, mark, name, units);

        // "7-Eleven" is written "7eleven" too, where the scanner reads the 7 as a T: file the name that way as well.
        if (units.Exists(u => (u.Flags & UnitFlags.Digit) != UnitFlags.None) && units.Exists(u => (u.Flags & UnitFlags.Latin) != UnitFlags.None))
        {
            var leet = units.ConvertAll(u =>
            {
                if ((u.Flags & UnitFlags.Digit) != UnitFlags.None)
                {
                    u.Key = Confusables.MergeLatinClass(Confusables.LeetLetter(u.Fold));
                }

                return u;
            });
            AddPattern(PatternKind.Mark, mark, name, leet);
        }

        // "Best Tea" run together is "bestea" once the text's repeats collapse: file the joined form too.
        var joined = new List<PatternUnit>(units.Count);
        foreach (var unit in units)
        {
            if (joined.Count > 0 && (unit.Flags & joined[^1].Flags & UnitFlags.Latin) != UnitFlags.None
                && unit.Key == joined[^1].Key && unit.Visual == joined[^1].VisualLast)
            {
                var last = joined[^1];
                last.Run = (byte)Math.Min(byte.MaxValue, last.Run + unit.Run);
                last.FoldLast = unit.FoldLast;
                last.VisualLast = unit.VisualLast;
                joined[^1] = last;
                continue;
            }

            joined.Add(unit);
        }

        if (joined.Count != units.Count)
        {
            AddPattern(PatternKind.Mark, mark, name, joined);
        }

        for (var start = 0; start < _stream.Length;)
        {
            var end = _stream.WordEnd(start);
            if ((_stream.Flags[start] & UnitFlags.Unsegmented) == UnitFlags.None)
            {
                var length = _stream.CopyFold(start, end, _scratch);
                _markWords.Add(new string(_scratch, 0, length));
            }

            start = end;
        }

        AddFuzzy(mark, name, units);
    }

    private void AddPhrase(PatternKind kind, int owner, int index, string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        Scanner.Normalise(text, _stream);
        if (_stream.Length > 0)
        {
            _seenKeys.Clear();
            AddPattern(kind, owner, index, Units());
        }
    }

    private void AddPattern(PatternKind kind, int owner, int name, List<PatternUnit> units)
    {
        var key = new string([.. units.ConvertAll(u => u.Key)]);
        if (!_seenKeys.Add(key))
        {
            return;
        }

        var letters = 0;
        var word = 0;
        var shortest = int.MaxValue;
        var folded = 0;
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            _keys.Add(unit.Key);
            _fold.Add(unit.Fold);
            _foldLast.Add(unit.FoldLast);
            _visual.Add(unit.Visual);
            _visualLast.Add(unit.VisualLast);
            _run.Add(unit.Run);
            _flags.Add(unit.Flags);
            letters += unit.Run;
            if (i > 0 && (unit.Flags & UnitFlags.HardBoundary) != UnitFlags.None)
            {
                shortest = Math.Min(shortest, word);
                word = 0;
            }

            // Digits do not count: "10-11" run together is a number, not two words joined.
            word += (unit.Flags & UnitFlags.Digit) == UnitFlags.None ? unit.Run : 0;
            for (var r = 0; r < unit.Run && folded < _scratch.Length; r++)
            {
                _scratch[folded++] = r == 0 ? unit.Fold : unit.FoldLast;
            }
        }

        shortest = Math.Min(shortest, word);
        var ordinary = kind == PatternKind.Mark && _words.ContainsCommonOrCatalogueFolded(_scratch.AsSpan(0, folded));
        _patterns.Add(new PatternInfo(kind, owner, name, _fold.Count - units.Count, units.Count, letters, shortest, ordinary));
        _offsets.Add(_keys.Count);
    }

    private void AddFuzzy(int mark, int name, List<PatternUnit> units)
    {
        var letters = 0;
        var written = 0;
        var words = 1;
        for (var i = 0; i < units.Count; i++)
        {
            if ((units[i].Flags & UnitFlags.Unsegmented) != UnitFlags.None)
            {
                return;
            }

            letters += units[i].Run;
            written += (units[i].Flags & UnitFlags.Leet) == UnitFlags.None ? units[i].Run : 0;
            if (i > 0 && (units[i].Flags & UnitFlags.HardBoundary) != UnitFlags.None)
            {
                words++;
            }
        }

        // Letters the mark writes as letters count, not symbols read as letters: "@home" has four, too few to edit.
        var budget = written < FuzzyIndex.MinLetters ? 0 : FuzzyIndex.BudgetFor(letters);
        if (budget == 0 || letters > FuzzyIndex.MaxLetters)
        {
            return;
        }

        _fuzzyNames.Add(new FuzzyName(mark, name, _fuzzyLetters.Count, letters, budget, words));
        foreach (var unit in units)
        {
            for (var r = 0; r < unit.Run; r++)
            {
                _fuzzyLetters.Add(r == 0 ? unit.Visual : unit.VisualLast);
            }
        }
    }

    private CompiledSet Finish(string[] markIds, string[][] markNames, RiskTerm[] riskTerms, string?[] literals)
    {
        var offsets = _offsets.ToArray();
        bool[] mayGlue = [.. _patterns.ConvertAll(p => p.Kind == PatternKind.Mark && p.Letters >= Screening.Screener.MinMergedLetters && !p.OrdinaryWord)];
        var automaton = PatternAutomaton.Build([.. _keys], offsets, _patterns.Count, mayGlue);
        return new CompiledSet
        {
            MarkIds = markIds,
            MarkNames = markNames,
            RiskTerms = riskTerms,
            RiskLiterals = literals,
            Patterns = [.. _patterns],
            MayGlue = mayGlue,
            ExactNormalised = new string?[_patterns.Count],
            LastMatched = new string?[_patterns.Count],
            Fold = [.. _fold],
            FoldLast = [.. _foldLast],
            Visual = [.. _visual],
            VisualLast = [.. _visualLast],
            Run = [.. _run],
            Flags = [.. _flags],
            Automaton = automaton,
            Fuzzy = FuzzyIndex.Build(_fuzzyNames, _fuzzyLetters),
            MarkWords = _markWords,
            MarkWordTable = new FoldedWords([.. _markWords.Select(w => KeyValuePair.Create(w, (byte)1))]),
        };
    }
}
