using BenchmarkDotNet.Attributes;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Benchmarks.Screening;

/// <summary>
/// Normalising alone, the largest part of exact-only screening: all 16,471 real titles per operation, as written
/// (capitals kept) and lower-cased as the throughput corpus is. Most of their words are ASCII words between plain
/// separators (<c>Scanner.AsciiWords</c>), written eight units at a time when they are letters without repeats.
/// </summary>
public class NormaliseBenchmarks
{
    private readonly TextStream _stream = new();
    private string[] _titles = [];

    [Params(false, true)]
    public bool LowerCased { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _titles = [.. ScreeningData.Titles().Select(t => LowerCased ? t.ToLowerInvariant() : t)];

    [Benchmark]
    public long NormaliseAllTitles()
    {
        long units = 0;
        foreach (var title in _titles)
        {
            Scanner.Normalise(title, _stream);
            units += _stream.Length;
        }

        return units;
    }
}
