using System.Diagnostics;
using Tracemark.Evaluation;
using Tracemark.Matching;

// Recall per lookalike family and false lookalike flags on real titles (issue 5, item 5).
//   dotnet run -c Release --project bench/Tracemark.Evaluation [-- --sample 1000 --seed 5 --examples 25 --verbose --dump hits.tsv
//       --dictionaries /usr/share/dict/spanish,/usr/share/dict/french --other-languages /usr/share/dict/spanish|none]
// --other-languages: the word lists whose words refuse arbitrary edits only (default: the engine's, where installed).
// --vocabulary-min N: a word is in B's catalogue vocabulary when N or more of the even-numbered titles have it (default 2).
// Brands from ../shared/data/brands/brands.csv are the marks; each fuzzer disguises a sample of them and
// plants the disguise in a real title from ../shared/data/product-titles/titles.tsv; a planted mark counts
// as found when a hit of that mark overlaps it. Untouched titles give the false lookalike flags.
// Two configurations run over the same disguises:
//   A. ordinary words from the Debian dictionaries only; hosts and false flags over all titles;
//   B. the dictionaries plus a catalogue vocabulary, as a platform screening its own listings would have:
//      every word found in two or more titles of one half of the titles (even lines); hosts and false
//      flags over the other half only, so no title is screened with a vocabulary learned from itself.
var options = Options.Parse(args);
var data = SharedData.Find(options.Data);
if (data is null)
{
    Console.WriteLine("SKIPPED: the real data sets (../shared/data relative to the repository root) are not there.");
    return 0;
}

var brands = SharedData.Brands(data);
var titles = SharedData.Titles(data);
var dictionaries = WordList.SystemDictionaries.Where(File.Exists).Concat(options.Dictionaries).ToList();
var dictionaryWords = dictionaries.SelectMany(File.ReadLines).ToList();
var otherLanguages = (options.OtherLanguages ?? WordList.OtherLanguageDictionaries).Where(File.Exists).ToList();
var otherLanguageWords = otherLanguages.SelectMany(File.ReadLines).ToList();
var marks = brands.Select(b => new Mark(b.Id, b.Names)).ToList();
var catalogue = titles.Where((_, i) => i % 2 == 0).ToList();
var heldOut = titles.Where((_, i) => i % 2 == 1).ToList();
var vocabulary = Vocabulary(catalogue, minimumTitles: options.VocabularyMinimum);

using var dump = options.Dump is null ? null : new StreamWriter(options.Dump, false, new System.Text.UTF8Encoding(false));
var clock = Stopwatch.StartNew();
var configurations = new List<Configuration>();
foreach (var (name, extra, hosts) in new[] { ("A. dictionaries", new List<string>(), titles), ("B. + catalogue vocabulary", vocabulary, heldOut) })
{
    var words = WordList.FromWords(dictionaryWords, otherLanguageWords, extra);
    clock.Restart();
    var lexicon = Lexicon.Build(marks, RiskTerms.Default, words);
    configurations.Add(new Configuration(name, lexicon, words, hosts, clock.Elapsed, new Random(options.Seed)) { Dump = dump });
}

Say($"# Screening evaluation ({DateTime.UtcNow:yyyy-MM-dd})");
Console.WriteLine();
Say($"{brands.Count:N0} brands ({marks.Sum(m => m.Names.Count):N0} names) from brands.csv as marks, {titles.Count:N0} titles; lexicon built in {configurations[0].Build.TotalMilliseconds:N0} ms.");
Say($"A: {configurations[0].Words.Count:N0} ordinary words ({string.Join(", ", dictionaries.Select(Path.GetFileName))}); hosts and false flags: all {titles.Count:N0} titles.");
Say($"Words of other languages, which refuse arbitrary edits only: {configurations[0].Words.OtherLanguageCount:N0} ({(otherLanguages.Count == 0 ? "none" : string.Join(", ", otherLanguages.Select(Path.GetFileName)))}).");
Say($"B: A plus {vocabulary.Count:N0} words seen in {options.VocabularyMinimum} or more of the {catalogue.Count:N0} even-numbered titles; hosts and false flags: the {heldOut.Count:N0} odd-numbered titles.");
Say($"Sample: up to {options.Sample:N0} brands per fuzzer (names of 5 or more Latin letters), seed {options.Seed}; the same disguises for A and B.");
Console.WriteLine();

var random = new Random(options.Seed);
var latin = new List<(Brand Brand, string Name)>();
foreach (var brand in brands)
{
    foreach (var name in brand.Names)
    {
        if (Fuzzers.LatinLetters(name, out var onlyLatin) >= 5 && onlyLatin)
        {
            latin.Add((brand, name));
            break;
        }
    }
}

var disguises = new List<(string Fuzzer, Brand Brand, string Name, string Disguised)>();
foreach (var fuzzer in Fuzzers.Latin)
{
    foreach (var (brand, name) in Shuffle(latin, random).Take(options.Sample))
    {
        if (fuzzer.Disguise(name, random) is { } disguised)
        {
            disguises.Add((fuzzer.Name, brand, name, disguised));
        }
    }
}

const string otherScript = "other Chinese script";
if (SharedData.ChineseVariants() is { } tables)
{
    foreach (var brand in Shuffle(brands.Where(b => b.Chinese is not null).ToList(), random).Take(options.Sample))
    {
        var chinese = brand.Chinese!;
        var simplified = Convert(chinese, tables.ToSimplified);
        var disguised = simplified != chinese ? simplified : Convert(chinese, tables.ToTraditional);
        if (disguised != chinese)
        {
            disguises.Add((otherScript, brand, chinese, disguised));
        }
    }
}
else
{
    Console.WriteLine($"The {otherScript} fuzzer is skipped: /usr/share/unicode/Unihan_Variants.txt.bz2 (Debian package unicode-data) is not there.");
    Console.WriteLine();
}

foreach (var (fuzzer, brand, name, disguised) in disguises)
{
    foreach (var configuration in configurations)
    {
        configuration.Plant(fuzzer, brand, name, disguised, options.Verbose);
    }
}

Console.WriteLine("| fuzzer | planted | recall A | recall B | found as exact (A) | example |");
Console.WriteLine("|---|---:|---:|---:|---:|---|");
foreach (var fuzzer in disguises.Select(d => d.Fuzzer).Distinct().Append("**all fuzzers**"))
{
    var a = configurations[0].Tally(fuzzer);
    var b = configurations[1].Tally(fuzzer);
    Say($"| {fuzzer} | {a.Planted:N0} | {a.Recall} | {b.Recall} | {a.Exact:N0} | {a.Example} |");
}

Say($"Found: A {configurations[0].Tally("**").Found:N0}, B {configurations[1].Tally("**").Found:N0} of {configurations[0].Tally("**").Planted:N0} (98 % is {Math.Ceiling(0.98 * configurations[0].Tally("**").Planted):N0}).");

Console.WriteLine();
foreach (var configuration in configurations)
{
    clock.Restart();
    var flags = configuration.FalseFlags();
    var perThousand = 1000.0 * flags.Count / configuration.Hosts.Count;
    Say($"**{configuration.Name}: {flags.Count:N0} lookalike flags on {configuration.Hosts.Count:N0} untouched titles = {perThousand:N1} per 1,000 titles** (goal ≤ 1; screened in {clock.Elapsed.TotalSeconds:N1} s).");
    Console.WriteLine();
    Console.WriteLine("By reason: " + string.Join(", ", flags.GroupBy(f => f.Reason).OrderByDescending(g => g.Count()).Select(g => FormattableString.Invariant($"{g.Key} {g.Count()}"))) + ".");
    Console.WriteLine();
    Console.WriteLine("Most frequent (mark ← text):");
    foreach (var group in flags.GroupBy(f => (f.Mark, f.Matched)).OrderByDescending(g => g.Count()).Take(options.Examples))
    {
        Say($"- {group.Key.Mark} ← \"{group.Key.Matched}\" ×{group.Count()} ({group.First().Reason})");
    }

    Console.WriteLine();
}

Console.WriteLine("Some misses of A (fuzzer: planted disguise → mark):");
foreach (var fuzzer in configurations[0].Misses.GroupBy(m => m.Fuzzer))
{
    foreach (var miss in Shuffle(fuzzer.ToList(), random).Take(options.Examples))
    {
        Console.WriteLine("- " + miss.Line);
    }
}

return 0;

static void Say(FormattableString line) => Console.WriteLine(FormattableString.Invariant(line));

static string Convert(string text, Dictionary<char, char> table) => string.Concat(text.Select(c => table.GetValueOrDefault(c, c)));

static List<T> Shuffle<T>(List<T> items, Random random)
{
    var copy = items.ToList();
    random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
    return copy;
}

// Words of letters and digits with at least one letter, lower-cased, found in at least that many titles.
static List<string> Vocabulary(List<string> titles, int minimumTitles)
{
    var seen = new Dictionary<string, int>(StringComparer.Ordinal);
    foreach (var title in titles)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= title.Length; i++)
        {
            var inWord = i < title.Length && char.IsLetterOrDigit(title[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = title[start..i].ToLowerInvariant();
                if (word.Length >= 2 && word.Any(char.IsLetter))
                {
                    words.Add(word);
                }

                start = -1;
            }
        }

        foreach (var word in words)
        {
            seen[word] = seen.GetValueOrDefault(word) + 1;
        }
    }

    return [.. seen.Where(w => w.Value >= minimumTitles).Select(w => w.Key).Order(StringComparer.Ordinal)];
}
