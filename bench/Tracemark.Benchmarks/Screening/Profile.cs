using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tracemark.Matching;
using Tracemark.Matching.Automaton;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Benchmarks.Screening;

/// <summary>
/// Where screening spends its time, stage by stage, on one thread: the corpus is read into memory once, then
/// each stage runs over every line and reports its CPU time. Later stages include the earlier ones.
///   throughput profile FILE MARKS [ROUNDS]
/// </summary>
internal static class Profile
{
    private struct Counter : IPatternSink
    {
        public long Matches;

        public void OnMatch(int pattern, int end) => Matches++;
    }

    public static int Run(string file, int markCount, int rounds)
    {
        var lines = File.ReadAllLines(file, new UTF8Encoding(false));
        var bytes = new FileInfo(file).Length;
        var lexicon = Lexicon.Build(ScreeningData.Marks(markCount), RiskTerms.Default, ScreeningData.Words());
        var set = lexicon.Sets[0];
        var stream = new TextStream();
        var hits = new List<ScreeningHit>();
        var stages = new (string Name, Func<long> Body)[]
        {
            ("normalise", () =>
            {
                long units = 0;
                foreach (var line in lines)
                {
                    Scanner.Normalise(line, stream);
                    units += stream.Length;
                }

                return units;
            }),
            ("normalise+automaton", () =>
            {
                var counter = default(Counter);
                foreach (var line in lines)
                {
                    Scanner.Normalise(line, stream);
                    set.Automaton.Scan(stream.Key.AsSpan(0, stream.Length), ref counter);
                }

                return counter.Matches;
            }),
            ("normalise+aligned", () =>
            {
                var counter = default(Counter);
                foreach (var line in lines)
                {
                    Scanner.Normalise(line, stream);
                    set.Automaton.ScanAligned(stream.Key.AsSpan(0, stream.Length), stream.Flags.AsSpan(0, stream.Length), false, ref counter);
                }

                return counter.Matches;
            }),
            ("normalise+walk", () =>
            {
                var counter = default(Counter);
                foreach (var line in lines)
                {
                    Scanner.Normalise(line, stream);
                    set.Automaton.ScanFromStarts(stream.Key.AsSpan(0, stream.Length), stream.Flags.AsSpan(0, stream.Length), ref counter);
                }

                return counter.Matches;
            }),
            ("normalise+aligned+glue", () =>
            {
                var counter = default(Counter);
                foreach (var line in lines)
                {
                    Scanner.Normalise(line, stream);
                    set.Automaton.ScanAligned(stream.Key.AsSpan(0, stream.Length), stream.Flags.AsSpan(0, stream.Length), true, ref counter);
                }

                return counter.Matches;
            }),
            ("normalise+walk+glued", () =>
            {
                // What full screening's scan does: the walk from word starts, then from every unit of every word
                // (the screening itself skips words a mark cannot be glued into).
                var counter = default(Counter);
                foreach (var line in lines)
                {
                    Scanner.Normalise(line, stream);
                    var keys = stream.Key.AsSpan(0, stream.Length);
                    var flags = stream.Flags.AsSpan(0, stream.Length);
                    set.Automaton.ScanFromStarts(keys, flags, ref counter);
                    for (var first = 0; first < keys.Length;)
                    {
                        var last = first + 1;
                        while (last < keys.Length && (flags[last] & UnitFlags.HardBoundary) == UnitFlags.None)
                        {
                            last++;
                        }

                        set.Automaton.ScanGlued(keys, flags, first, last, ref counter);
                        first = last;
                    }
                }

                return counter.Matches;
            }),
            ("screen exact-only", () => Screen(ScreeningMode.ExactOnly)),
            ("screen full", () => Screen(ScreeningMode.Full)),
        };

        long Screen(ScreeningMode mode)
        {
            long count = 0;
            foreach (var line in lines)
            {
                hits.Clear();
                lexicon.Screen(line, mode, hits);
                count += hits.Count;
            }

            return count;
        }

        var process = Process.GetCurrentProcess();
        var only = Environment.GetEnvironmentVariable("TM_STAGE");
        foreach (var (name, body) in stages)
        {
            if (only is not null && !string.Equals(name, only, StringComparison.Ordinal))
            {
                continue;
            }

            body(); // warm up
            var times = new List<double>();
            long result = 0;
            for (var r = 0; r < rounds; r++)
            {
                process.Refresh();
                var before = process.TotalProcessorTime;
                result = body();
                process.Refresh();
                times.Add((process.TotalProcessorTime - before).TotalSeconds);
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-22} cpu min={times[0]:N2}s median={times[times.Count / 2]:N2}s MB/s/core(best)={bytes / 1e6 / times[0]:N1} result={result}"));
        }

        return 0;
    }
}
