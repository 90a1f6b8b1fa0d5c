using System.Text;
using Tracemark.Evaluation;
using Tracemark.Matching;

namespace Tracemark.Benchmarks.Screening;

/// <summary>Marks and texts for the screening benchmarks: every name in brands.csv, generated marks on top for the scaling figure.</summary>
internal static class ScreeningData
{
    private static readonly Lazy<string?> Folder = new(() => SharedData.Find(Environment.GetEnvironmentVariable("TRACEMARK_DATA")));

    public static string? DataFolder => Folder.Value;

    public static string Require() =>
        DataFolder ?? throw new InvalidOperationException("The real data sets (../shared/data relative to the repository root) are not there: the screening benchmarks need them.");

    public static List<Mark> BrandMarks() => [.. SharedData.Brands(Require()).Select(b => new Mark(b.Id, b.Names))];

    public static List<string> Titles() => SharedData.Titles(Require());

    /// <summary>The brands, then made-up brand names (syllables, one to three words) up to <paramref name="count"/> marks.</summary>
    public static List<Mark> Marks(int count)
    {
        var marks = BrandMarks();
        var random = new Random(100_000);
        string[] onsets = ["b", "br", "c", "cl", "d", "dr", "f", "g", "gr", "h", "j", "k", "kr", "l", "m", "n", "p", "pr", "qu", "r", "s", "st", "t", "tr", "v", "w", "x", "z"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"];
        string[] codas = ["", "", "n", "r", "s", "x", "l", "m", "nt", "rk", "ss", "th"];
        string Word()
        {
            var word = new StringBuilder();
            for (var s = 0; s < 2 + random.Next(2); s++)
            {
                word.Append(onsets[random.Next(onsets.Length)]).Append(vowels[random.Next(vowels.Length)]).Append(codas[random.Next(codas.Length)]);
            }

            word[0] = char.ToUpperInvariant(word[0]);
            return word.ToString();
        }

        for (var i = marks.Count; i < count; i++)
        {
            var words = 1 + (random.Next(10) < 3 ? 1 : 0) + (random.Next(10) < 1 ? 1 : 0);
            marks.Add(new Mark("generated-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(' ', Enumerable.Range(0, words).Select(_ => Word()))));
        }

        return marks;
    }

    /// <summary>The word lists the CLI and the server use: English, and the other languages where installed.</summary>
    public static WordList Words() => WordList.FromSystemDictionaries();
}
