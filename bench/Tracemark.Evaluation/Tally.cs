using System.Globalization;
using Tracemark.Matching;

namespace Tracemark.Evaluation;

/// <summary>One way of running the evaluation: a lexicon, its ordinary words, and the titles it plants into.</summary>
internal sealed class Configuration(string name, Lexicon lexicon, WordList words, List<string> hosts, TimeSpan build, Random random)
{
    private readonly Dictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    public string Name => name;

    public WordList Words => words;

    public List<string> Hosts => hosts;

    public TimeSpan Build => build;

    public List<(string Fuzzer, string Line)> Misses { get; } = [];

    /// <summary>With --dump: every lookalike hit on a planted disguise, every disguise missed and every false flag, as tab-separated rows.</summary>
    public TextWriter? Dump { get; set; }

    private string Row(string what, string fuzzer, ScreeningHit hit, string text) => string.Join('\t',
        name[..1], what, fuzzer, hit.Mark, hit.Matched, hit.Normalised, hit.Signs.ToString().Replace(" ", "", StringComparison.Ordinal),
        hit.Distance.ToString(CultureInfo.InvariantCulture), hit.Score.ToString(CultureInfo.InvariantCulture), text.ReplaceLineEndings(" ").Replace('\t', ' '));

    public Tally Tally(string fuzzer) =>
        fuzzer.StartsWith("**", StringComparison.Ordinal)
            ? _tallies.Values.Aggregate(new Tally(), (all, one) => all.Add(one))
            : _tallies.GetValueOrDefault(fuzzer) ?? new Tally();

    /// <summary>Puts the disguise between two words of a random host title and screens the result.</summary>
    public void Plant(string fuzzer, Brand brand, string mark, string disguised, bool verbose)
    {
        var title = hosts[random.Next(hosts.Count)];
        var titleWords = title.Split(' ');
        var at = random.Next(titleWords.Length + 1);
        var before = string.Join(' ', titleWords.Take(at));
        var text = (before.Length > 0 ? before + " " : "") + disguised + (at < titleWords.Length ? " " + string.Join(' ', titleWords.Skip(at)) : "");
        var start = before.Length > 0 ? before.Length + 1 : 0;
        var end = start + disguised.Length;
        var hit = lexicon.Screen(text)
            .Where(h => h.MarkId == brand.Id && h.Start < end && start < h.Start + h.Length)
            .OrderBy(h => h.Kind)
            .FirstOrDefault();
        if (!_tallies.TryGetValue(fuzzer, out var tally))
        {
            tally = new Tally();
            _tallies[fuzzer] = tally;
        }

        tally.Count(hit?.Kind, disguised);
        if (hit is { Kind: HitKind.Lookalike })
        {
            Dump?.WriteLine(Row("planted", fuzzer, hit, text));
        }

        if (hit is null)
        {
            Dump?.WriteLine(string.Join('\t', name[..1], "missed", fuzzer, mark, disguised, "", "", "", "", text.ReplaceLineEndings(" ").Replace('\t', ' ')));
            Misses.Add((fuzzer, verbose ? $"{fuzzer}: \"{disguised}\" → {mark} in \"{text}\"" : $"{fuzzer}: \"{disguised}\" → {mark}"));
        }
    }

    /// <summary>Every lookalike hit on an untouched host title is a false flag.</summary>
    public List<(string Mark, string Matched, string Reason)> FalseFlags()
    {
        var flags = new List<(string, string, string)>();
        foreach (var title in hosts)
        {
            foreach (var hit in lexicon.Screen(title))
            {
                if (hit.Kind == HitKind.Lookalike)
                {
                    flags.Add((hit.Mark, hit.Matched, hit.ReasonCode.ToWire()));
                    Dump?.WriteLine(Row("flag", "", hit, title));
                }
            }
        }

        return flags;
    }
}

internal sealed class Tally
{
    public int Planted { get; private set; }

    public int Found => Exact + Lookalike;

    public int Exact { get; private set; }

    public int Lookalike { get; private set; }

    public string Example { get; private set; } = "";

    public string Recall => Planted == 0 ? "–" : (100.0 * Found / Planted).ToString("N1", CultureInfo.InvariantCulture) + " %";

    public void Count(HitKind? kind, string disguised)
    {
        Planted++;
        if (Example.Length == 0)
        {
            Example = "`" + disguised + "`";
        }

        if (kind == HitKind.Exact)
        {
            Exact++;
        }
        else if (kind == HitKind.Lookalike)
        {
            Lookalike++;
        }
    }

    public Tally Add(Tally other)
    {
        Planted += other.Planted;
        Exact += other.Exact;
        Lookalike += other.Lookalike;
        return this;
    }
}

// Dictionaries: more word lists (paths, comma-separated after --dictionaries) read as ordinary words beside the system's English ones.
internal sealed record Options(string? Data, int Sample, int Seed, int Examples, bool Verbose, string? Dump, string[] Dictionaries, string[]? OtherLanguages, int VocabularyMinimum)
{
    public static Options Parse(string[] args)
    {
        string? Value(string name)
        {
            var at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        }

        return new Options(
            Value("--data"),
            int.Parse(Value("--sample") ?? "1000", CultureInfo.InvariantCulture),
            int.Parse(Value("--seed") ?? "5", CultureInfo.InvariantCulture),
            int.Parse(Value("--examples") ?? "25", CultureInfo.InvariantCulture),
            args.Contains("--verbose"),
            Value("--dump"),
            Value("--dictionaries")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            Value("--other-languages") is { } other ? [.. other.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => p != "none")] : null,
            int.Parse(Value("--vocabulary-min") ?? "2", CultureInfo.InvariantCulture));
    }
}
