using Tracemark.Matching.Compilation;
using Tracemark.Matching.Screening;

namespace Tracemark.Matching;

/// <summary>
/// Marks, risk terms and ordinary words compiled for screening. Immutable and safe to screen with from any
/// number of threads at once. Changing marks does not rebuild it: <see cref="WithChanges"/> returns a new
/// lexicon that shares the compiled base and adds a small overlay, so a changed mark is live in about the
/// time it takes to compile that one mark; <see cref="Compact"/> folds the overlay back into a new base.
/// </summary>
public sealed class Lexicon
{
    private static long _lastId;

    private readonly Mark[] _baseMarks;
    private readonly Mark[] _overlayMarks;
    private readonly Dictionary<string, int> _baseIndex;
    private readonly bool[] _maskedInBase;
    private readonly CompiledSet _base;
    private readonly CompiledSet? _overlay;

    private Lexicon(
        Mark[] baseMarks,
        Dictionary<string, int> baseIndex,
        CompiledSet compiledBase,
        Mark[] overlayMarks,
        CompiledSet? overlay,
        bool[] maskedInBase,
        RiskTerm[] riskTerms,
        WordList words)
    {
        _baseMarks = baseMarks;
        _baseIndex = baseIndex;
        _base = compiledBase;
        _overlayMarks = overlayMarks;
        _overlay = overlay;
        _maskedInBase = maskedInBase;
        RiskTerms = riskTerms;
        Words = words;
        Sets = overlay is null ? [compiledBase] : [compiledBase, overlay];
        var hidden = 0;
        foreach (var masked in maskedInBase)
        {
            hidden += masked ? 1 : 0;
        }

        MarkCount = baseMarks.Length - hidden + overlayMarks.Length;
    }

    /// <summary>Tells this lexicon from every other in this process: what a thread learnt screening with one is not used with another.</summary>
    internal long Id { get; } = Interlocked.Increment(ref _lastId);

    /// <summary>Marks that screening finds.</summary>
    public int MarkCount { get; }

    /// <summary>Marks changed since the last full build; <see cref="LiveLexicon"/> compacts when this grows.</summary>
    public int OverlayMarkCount => _overlayMarks.Length;

    public IReadOnlyList<RiskTerm> RiskTerms { get; }

    public WordList Words { get; }

    internal CompiledSet[] Sets { get; }

    /// <summary>
    /// Compiles marks (names in any script, exclusions), risk terms and the ordinary words that are never
    /// lookalikes. Rows with the same mark id are merged. Names that normalise to nothing ("™") are ignored.
    /// </summary>
    /// <param name="marks">The marks; each needs a non-empty id.</param>
    /// <param name="riskTerms">Risk terms; null for <see cref="Matching.RiskTerms.Default"/>, empty for none.</param>
    /// <param name="words">Ordinary words; null for none.</param>
    public static Lexicon Build(IEnumerable<Mark> marks, IEnumerable<RiskTerm>? riskTerms = null, WordList? words = null)
    {
        ArgumentNullException.ThrowIfNull(marks);
        var merged = Merge(marks);
        var terms = (riskTerms ?? Matching.RiskTerms.Default).Where(t => t is not null && !string.IsNullOrWhiteSpace(t.Term)).ToArray();
        var index = new Dictionary<string, int>(merged.Length, StringComparer.Ordinal);
        for (var i = 0; i < merged.Length; i++)
        {
            index[merged[i].Id] = i;
        }

        words ??= WordList.Empty;
        var compiled = Compiler.Compile(merged, terms, words);
        return new Lexicon(merged, index, compiled, [], null, new bool[merged.Length], terms, words);
    }

    /// <summary>
    /// A lexicon with some marks added or replaced (by id) and some removed, sharing this one's compiled
    /// base: the cost is compiling the changed marks, not all of them. This lexicon is unchanged.
    /// </summary>
    public Lexicon WithChanges(IEnumerable<Mark> upserted, IEnumerable<string> removedIds)
    {
        ArgumentNullException.ThrowIfNull(upserted);
        ArgumentNullException.ThrowIfNull(removedIds);
        var changes = Merge(upserted);
        var touched = new HashSet<string>(removedIds, StringComparer.Ordinal);
        foreach (var mark in changes)
        {
            touched.Add(mark.Id);
        }

        var masked = (bool[])_maskedInBase.Clone();
        foreach (var id in touched)
        {
            if (_baseIndex.TryGetValue(id, out var i))
            {
                masked[i] = true;
            }
        }

        var overlayMarks = _overlayMarks.Where(m => !touched.Contains(m.Id)).Concat(changes).ToArray();
        var overlay = overlayMarks.Length == 0 ? null : Compiler.Compile(overlayMarks, [], Words);
        return new Lexicon(_baseMarks, _baseIndex, _base, overlayMarks, overlay, masked, (RiskTerm[])RiskTerms, Words);
    }

    /// <summary>The same marks compiled afresh into one base, without an overlay.</summary>
    public Lexicon Compact() => Build(Marks(), RiskTerms, Words);

    /// <summary>The marks this lexicon screens for, as they were given.</summary>
    public IEnumerable<Mark> Marks()
    {
        for (var i = 0; i < _baseMarks.Length; i++)
        {
            if (!_maskedInBase[i])
            {
                yield return _baseMarks[i];
            }
        }

        foreach (var mark in _overlayMarks)
        {
            yield return mark;
        }
    }

    /// <summary>Every mark, lookalike and risk term in <paramref name="text"/>, ordered by position.</summary>
    public IReadOnlyList<ScreeningHit> Screen(ReadOnlySpan<char> text, ScreeningMode mode = ScreeningMode.Full)
    {
        var hits = new List<ScreeningHit>();
        Screener.Screen(this, text, mode, hits);
        return hits;
    }

    /// <summary>Adds the hits found in <paramref name="text"/> to <paramref name="hits"/>.</summary>
    public void Screen(ReadOnlySpan<char> text, ScreeningMode mode, ICollection<ScreeningHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        Screener.Screen(this, text, mode, hits);
    }

    internal bool IsMasked(CompiledSet set, int mark) => set == _base && _maskedInBase[mark];

    private static Mark[] Merge(IEnumerable<Mark> marks)
    {
        var order = new List<string>();
        var names = new Dictionary<string, (List<string> Names, List<string> Exclusions)>(StringComparer.Ordinal);
        foreach (var mark in marks)
        {
            if (mark is null || string.IsNullOrWhiteSpace(mark.Id))
            {
                throw new ArgumentException("Every mark needs an id.", nameof(marks));
            }

            if (!names.TryGetValue(mark.Id, out var entry))
            {
                entry = ([], []);
                names[mark.Id] = entry;
                order.Add(mark.Id);
            }

            foreach (var name in mark.Names ?? [])
            {
                if (!string.IsNullOrWhiteSpace(name) && !entry.Names.Contains(name, StringComparer.Ordinal))
                {
                    entry.Names.Add(name);
                }
            }

            foreach (var exclusion in mark.Exclusions ?? [])
            {
                if (!string.IsNullOrWhiteSpace(exclusion) && !entry.Exclusions.Contains(exclusion, StringComparer.Ordinal))
                {
                    entry.Exclusions.Add(exclusion);
                }
            }
        }

        return [.. order.Select(id => new Mark(id, names[id].Names, names[id].Exclusions))];
    }
}
