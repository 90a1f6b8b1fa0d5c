using System.Globalization;
using BenchmarkDotNet.Attributes;
using Tracemark.Matching;
using Tracemark.Matching.Compilation;

namespace Tracemark.Benchmarks.Screening;

/// <summary>
/// The anchor look-ups of the lookalike search alone, the largest part of full screening: every window of up to six
/// words of the 16,471 real titles (lower-cased, their letters and digits, words split at anything else) against
/// the names of brands.csv. The screener's own filters (common words, the windows' reach) are left out: this
/// measures the index, not which windows are searched.
/// </summary>
public class WindowSearchBenchmarks
{
    private const int MaxWindowWords = 6;

    private FuzzyIndex _index = null!;
    private (ulong[] Prefix, int[] Starts, ulong[] Masks)[] _titles = [];
    private readonly List<int> _found = [];

    [GlobalSetup]
    public void Setup()
    {
        _index = Lexicon.Build(ScreeningData.Marks(15_048), RiskTerms.Default, ScreeningData.Words()).Sets[0].Fuzzy;
        _titles = [.. ScreeningData.Titles().Select(Prepare)];
    }

    private static (ulong[] Prefix, int[] Starts, ulong[] Masks) Prepare(string title)
    {
        var words = title.ToLower(CultureInfo.InvariantCulture).Split(
            [.. title.Where(c => !char.IsAsciiLetterOrDigit(char.ToLowerInvariant(c))).Distinct()], StringSplitOptions.RemoveEmptyEntries);
        var letters = string.Concat(words);
        var prefix = new ulong[letters.Length + 1];
        FuzzyIndex.Prefixes(letters, prefix);
        var starts = new int[words.Length + 1];
        var masks = new ulong[words.Length];
        for (var w = 0; w < words.Length; w++)
        {
            starts[w + 1] = starts[w] + words[w].Length;
            masks[w] = FuzzyIndex.LetterMask(words[w]);
        }

        return (prefix, starts, masks);
    }

    [Benchmark]
    public int LookUpEveryWindow()
    {
        var proposed = 0;
        foreach (var (prefix, starts, masks) in _titles)
        {
            var words = masks.Length;
            for (var w0 = words - 1; w0 >= 0; w0--)
            {
                var mask = 0UL;
                for (var w = w0; w < words && w < w0 + MaxWindowWords; w++)
                {
                    mask |= masks[w];
                    _found.Clear();
                    _index.Find(w - w0 + 1, prefix, starts[w0], starts[w + 1], mask, _found);

                    proposed += _found.Count;
                }
            }
        }

        return proposed;
    }
}
