using System.Diagnostics;
using System.Text;

namespace Tracemark.Evaluation;

/// <summary>A brand from brands.csv with its names in every script.</summary>
internal sealed record Brand(string Id, string[] Names, string? Chinese);

/// <summary>Reads the real data sets of ../shared/data (never copied into the repository).</summary>
internal static class SharedData
{
    /// <summary>../shared/data relative to the repository root, or null when absent.</summary>
    public static string? Find(string? explicitFolder)
    {
        if (explicitFolder is not null)
        {
            return Directory.Exists(explicitFolder) ? Path.GetFullPath(explicitFolder) : null;
        }

        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Tracemark.slnx")))
            {
                var data = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data"));
                return Directory.Exists(data) ? data : null;
            }
        }

        return null;
    }

    public static List<Brand> Brands(string data)
    {
        var brands = new List<Brand>();
        var rows = Csv(File.ReadAllText(Path.Combine(data, "brands", "brands.csv"), Encoding.UTF8));
        for (var i = 1; i < rows.Count; i++)
        {
            var row = rows[i];
            string[] names = [.. new[] { row[0], row[1], row[2] }.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal)];
            if (names.Length > 0)
            {
                brands.Add(new Brand("brand-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), names, string.IsNullOrWhiteSpace(row[2]) ? null : row[2]));
            }
        }

        return brands;
    }

    public static List<string> Titles(string data) =>
        [.. File.ReadLines(Path.Combine(data, "product-titles", "titles.tsv"), Encoding.UTF8).Skip(1).Select(line => line.Split('\t', 2)[^1])];

    /// <summary>RFC 4180 fields, quotes and doubled quotes included.</summary>
    private static List<string[]> Csv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    row.Add(field.ToString());
                    field.Clear();
                    break;
                case '\n':
                    row.Add(field.ToString());
                    field.Clear();
                    rows.Add([.. row]);
                    row.Clear();
                    break;
                case '\r':
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        return rows;
    }

    /// <summary>
    /// Simplified↔traditional conversion for the "other script" fuzzer, from Unihan's kSimplifiedVariant and
    /// kTraditionalVariant (Debian's unicode-data), read here rather than from the engine's generated table.
    /// </summary>
    public static (Dictionary<char, char> ToSimplified, Dictionary<char, char> ToTraditional)? ChineseVariants()
    {
        const string unihan = "/usr/share/unicode/Unihan_Variants.txt.bz2";
        if (!File.Exists(unihan))
        {
            return null;
        }

        using var process = Process.Start(new ProcessStartInfo("bzcat", unihan) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var simplified = new Dictionary<char, char>();
        var traditional = new Dictionary<char, char>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var parts = line.Split('\t');
            if (parts.Length != 3 || parts[0].StartsWith('#'))
            {
                continue;
            }

            var target = parts[1] switch
            {
                "kSimplifiedVariant" => simplified,
                "kTraditionalVariant" => traditional,
                _ => null,
            };
            if (target is null)
            {
                continue;
            }

            var source = CodePoint(parts[0]);
            var variants = parts[2].Split(' ').Select(CodePoint).ToList();
            if (source > 0xFFFF || variants.Contains(source))
            {
                continue;
            }

            if (variants[0] <= 0xFFFF)
            {
                target[(char)source] = (char)variants[0];
            }
        }

        process.WaitForExit();
        return (simplified, traditional);
    }

    /// <summary>"U+4E94" or "U+4E94&lt;kMatthews" (a source tag) as a code point.</summary>
    private static int CodePoint(string field) =>
        int.Parse(field.AsSpan(2, field.IndexOf('<', StringComparison.Ordinal) is var tag and > 0 ? tag - 2 : field.Length - 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
}
