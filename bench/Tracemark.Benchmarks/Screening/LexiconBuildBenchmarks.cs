using BenchmarkDotNet.Attributes;
using Tracemark.Matching;

namespace Tracemark.Benchmarks.Screening;

/// <summary>Compiling a lexicon (goal: 100,000 marks in under 2 s), and applying one changed mark to a built one.</summary>
[MemoryDiagnoser]
public class LexiconBuildBenchmarks
{
    private List<Mark> _marks = [];
    private WordList _words = WordList.Empty;
    private Lexicon _built = null!;

    [Params(15_048, 100_000)]
    public int Marks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _marks = ScreeningData.Marks(Marks);
        _words = ScreeningData.Words();
        _built = Lexicon.Build(_marks, RiskTerms.Default, _words);
    }

    [Benchmark]
    public Lexicon Build() => Lexicon.Build(_marks, RiskTerms.Default, _words);

    [Benchmark]
    public Lexicon ChangeOneMark() => _built.WithChanges([new Mark(_marks[7].Id, "Changed Name", "改名")], []);
}
