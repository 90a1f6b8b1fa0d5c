using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tracemark.Matching;

namespace Tracemark.Benchmarks.Screening;

/// <summary>
/// The engine's side of bench/screening-peers.sh: prepares the files the peers read, and screens a corpus
/// file on one thread, streaming it line by line (read in blocks of a megabyte, each line screened as a span of
/// its block; TRACEMARK_BENCH_READLINE=1 reads a string per line instead), reporting MB/s and titles/s
/// per core, the lexicon's build time and the process's peak memory.
///   throughput prepare DIR         corpus.txt (titles lower-cased, repeated to about 64 MB), marks.txt, sample.txt
///   throughput profile FILE MARKS [ROUNDS]  the stages of screening in memory, best of ROUNDS (3) after a warm-up (Profile)
///   throughput run FILE MARKS MODE screen FILE against MARKS marks (brands.csv, then generated), MODE exact|full
///                                  (or read: only read the file and split its lines, the harness's own cost)
/// </summary>
internal static class Throughput
{
    private const long CorpusBytes = 64L << 20;

    public static int Run(string[] args)
    {
        if (ScreeningData.DataFolder is null)
        {
            Console.WriteLine("SKIPPED: the real data sets (../shared/data relative to the repository root) are not there.");
            return 0;
        }

        return args switch
        {
            ["prepare", var folder] => Prepare(folder),
            ["dump", var file, var marks, var mode, var output] => Dump(file, int.Parse(marks, CultureInfo.InvariantCulture), mode == "exact" ? ScreeningMode.ExactOnly : ScreeningMode.Full, output),
            ["profile", var file, var marks] => Profile.Run(file, int.Parse(marks, CultureInfo.InvariantCulture), 3),
            ["profile", var file, var marks, var rounds] => Profile.Run(file, int.Parse(marks, CultureInfo.InvariantCulture), int.Parse(rounds, CultureInfo.InvariantCulture)),
            ["run", var file, var marks, "read"] => Screen(file, int.Parse(marks, CultureInfo.InvariantCulture), null),
            ["run", var file, var marks, var mode] => Screen(file, int.Parse(marks, CultureInfo.InvariantCulture), mode == "exact" ? ScreeningMode.ExactOnly : ScreeningMode.Full),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: throughput prepare DIR | throughput run FILE MARKS exact|full|read");
        return 2;
    }

    private static int Prepare(string folder)
    {
        Directory.CreateDirectory(folder);
        var titles = ScreeningData.Titles().Select(t => t.ToLowerInvariant()).ToList();
        using (var corpus = new StreamWriter(Path.Combine(folder, "corpus.txt"), false, new UTF8Encoding(false)))
        {
            long written = 0;
            while (written < CorpusBytes)
            {
                foreach (var title in titles)
                {
                    corpus.Write(title);
                    corpus.Write('\n');
                    written += Encoding.UTF8.GetByteCount(title) + 1;
                }
            }
        }

        // Every name in brands.csv, lower-cased, once: the patterns ripgrep and pg_trgm get.
        var names = ScreeningData.BrandMarks().SelectMany(m => m.Names).Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        File.WriteAllLines(Path.Combine(folder, "marks.txt"), names, new UTF8Encoding(false));

        // Every 8th title for PostgreSQL, which is screened on a sample only.
        File.WriteAllLines(Path.Combine(folder, "sample.txt"), titles.Where((_, i) => i % 8 == 0), new UTF8Encoding(false));
        Console.WriteLine(FormattableString.Invariant($"prepared {folder}: corpus.txt {new FileInfo(Path.Combine(folder, "corpus.txt")).Length / 1e6:N1} MB, {names.Count:N0} names"));
        return 0;
    }

    private static int Dump(string file, int markCount, ScreeningMode mode, string output)
    {
        var lexicon = Lexicon.Build(ScreeningData.Marks(markCount), RiskTerms.Default, ScreeningData.Words());
        using var writer = new StreamWriter(output, false, new UTF8Encoding(false));
        var n = 0;
        foreach (var line in File.ReadLines(file))
        {
            n++;
            foreach (var hit in lexicon.Screen(line, mode))
            {
                writer.WriteLine(FormattableString.Invariant($"{n}\t{hit.MarkId}\t{hit.Mark}\t{hit.Kind}\t{hit.Start}\t{hit.Length}\t{hit.Normalised}\t{hit.Distance}\t{hit.Score}\t{hit.Signs}\t{hit.Reason}"));
            }
        }

        return 0;
    }

    /// <summary>
    /// Reads the file in blocks of a megabyte, decodes each block once and screens every line as a span of it
    /// (invalid UTF-8 becomes U+FFFD, as with StreamReader): no string per line, as ripgrep reads its input.
    /// </summary>
    private static (long Bytes, long Lines, long Hits) ScreenBlocks(string file, Lexicon lexicon, ScreeningMode? mode, List<ScreeningHit> found)
    {
        const int block = 1 << 20;
        var decoder = new UTF8Encoding(false).GetDecoder();
        var raw = new byte[block];
        var chars = new char[block * 2];
        var kept = 0;
        long bytes = 0;
        long lines = 0;
        long hits = 0;
        using var input = File.OpenRead(file);
        while (true)
        {
            var read = input.Read(raw, 0, block);
            bytes += read;
            if (chars.Length - kept < block + 1)
            {
                Array.Resize(ref chars, (kept + block + 1) * 2);
            }

            var length = kept + decoder.GetChars(raw, 0, read, chars, kept, flush: read == 0);
            var text = chars.AsSpan(0, length);
            var start = 0;
            while (true)
            {
                var newline = text[start..].IndexOf('\n');
                if (newline < 0)
                {
                    break;
                }

                var line = text.Slice(start, newline);
                if (mode is { } screening)
                {
                    found.Clear();
                    lexicon.Screen(line.EndsWith('\r') ? line[..^1] : line, screening, found);
                    hits += found.Count;
                }

                lines++;
                start += newline + 1;
            }

            kept = length - start;
            text[start..].CopyTo(chars);
            if (read == 0)
            {
                if (kept > 0 && mode is { } screening)
                {
                    found.Clear();
                    lexicon.Screen(chars.AsSpan(0, kept), screening, found);
                    hits += found.Count;
                    lines++;
                }

                return (bytes, lines, hits);
            }
        }
    }

    /// <summary>A null mode only reads the file and splits it into lines: what the harness costs beside the screening.</summary>
    private static int Screen(string file, int markCount, ScreeningMode? mode)
    {
        var marks = ScreeningData.Marks(markCount);
        var words = ScreeningData.Words();
        var clock = Stopwatch.StartNew();
        var lexicon = Lexicon.Build(marks, RiskTerms.Default, words);
        var build = clock.Elapsed;

        // TRACEMARK_BENCH_PASSES=n screens the file n times in this process, each pass reported: the first is what a
        // fresh process pays (code still being compiled in tiers, tables not yet in cache), as ripgrep's one run
        // does; the later ones are what a running server pays.
        var passes = int.TryParse(Environment.GetEnvironmentVariable("TRACEMARK_BENCH_PASSES"), CultureInfo.InvariantCulture, out var n) ? Math.Max(1, n) : 1;
        for (var pass = 1; pass <= passes; pass++)
        {
            ScreenOnce(file, lexicon, mode, build, passes > 1 ? FormattableString.Invariant($" pass={pass}") : "");
        }

        return 0;
    }

    private static void ScreenOnce(string file, Lexicon lexicon, ScreeningMode? mode, TimeSpan build, string label)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var userBefore = process.UserProcessorTime;
        var gcsBefore = GC.CollectionCount(0);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        long lines = 0;
        long hits = 0;
        var found = new List<ScreeningHit>();
        if (Environment.GetEnvironmentVariable("TRACEMARK_BENCH_READLINE") is not null && mode is { } screening)
        {
            // As before 2026-11-21 06:40: StreamReader.ReadLine, a string per line.
            using var reader = new StreamReader(file, new UTF8Encoding(false), false, 1 << 16);
            while (reader.ReadLine() is { } line)
            {
                found.Clear();
                lexicon.Screen(line, screening, found);
                hits += found.Count;
                bytes += Encoding.UTF8.GetByteCount(line) + 1;
                lines++;
            }
        }
        else
        {
            (bytes, lines, hits) = ScreenBlocks(file, lexicon, mode, found);
        }

        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var user = (process.UserProcessorTime - userBefore).TotalSeconds;
        var gcs = GC.CollectionCount(0) - gcsBefore;
        var allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 1048576.0;

        // cpu is every thread of the process, kernel time included (ripgrep's %U is user time only): user and sys
        // are shown apart, with the collections and allocations the hits cost.
        var name = mode switch { ScreeningMode.ExactOnly => "exact-only", ScreeningMode.Full => "full", _ => "read-only" };

        // The CLI, which hosts the server, compiles in tiers without PGO (Tracemark.Cli.csproj): DOTNET_TieredPGO=0
        // measures the engine as it ships (its hot methods are optimised at their first call either way),
        // DOTNET_TieredCompilation=0 as it shipped before 2026-11-22, the default as a process with PGO would run it.
        var tiered = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is "0" ? "off"
            : Environment.GetEnvironmentVariable("DOTNET_TieredPGO") is "0" ? "on-nopgo" : "on";
        Console.WriteLine(FormattableString.Invariant(
            $"engine {name}{label} tiered={tiered} marks={lexicon.MarkCount} build={build.TotalSeconds:N2}s corpus={bytes / 1e6:N1}MB lines={lines} wall={wall:N2}s cpu={cpu:N2}s user={user:N2}s sys={cpu - user:N2}s MB/s/core={bytes / 1e6 / cpu:N1} titles/s/core={lines / cpu:N0} hits={hits} gen0={gcs} allocated={allocated:N0}MiB peakRSS={process.PeakWorkingSet64 / 1048576.0:N0}MiB"));
    }
}
