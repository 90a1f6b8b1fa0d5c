using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;
using Tracemark.Matching;

namespace Tracemark.Cli;

/// <summary>
/// Reads the marks file of <c>tracemark screen</c>: CSV (RFC 4180, UTF-8) with a header naming at least the
/// columns <c>id</c> and <c>mark</c>, and optionally <c>exclusions</c> (phrases separated by <c>|</c>). A mark
/// with several names has several rows with the same id. Blank rows and repeated rows are skipped.
/// </summary>
internal static class MarksCsv
{
    public sealed record Result(IReadOnlyList<Mark> Marks, int Rows, int Duplicates);

    public static Result Read(string path)
    {
        var name = Path.GetFileName(path);
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        try
        {
            return Read(reader, name);
        }
        catch (DecoderFallbackException)
        {
            throw Error("screen.marks.encoding", $"{name} is not valid UTF-8: save it as UTF-8 and try again");
        }
    }

    public static Result Read(TextReader reader, string name)
    {
        using var records = Records(reader, name).GetEnumerator();
        if (!records.MoveNext())
        {
            throw Error("screen.marks.empty", $"{name} is empty: it needs a header line naming the columns id and mark");
        }

        var header = records.Current.Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var id = header.IndexOf("id");
        var mark = header.IndexOf("mark");
        var exclusions = header.IndexOf("exclusions");
        if (id < 0 || mark < 0)
        {
            throw Error("screen.marks.header", $"{name}: the header must name the columns id and mark (it names: {string.Join(", ", header)})");
        }

        var marks = new List<Mark>();
        var seen = new HashSet<(string, string, string)>();
        var rows = 0;
        var duplicates = 0;
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (fields.Count != header.Count)
            {
                throw Error("screen.marks.fields", string.Create(CultureInfo.InvariantCulture, $"{name} line {line}: {fields.Count} fields where the header has {header.Count}"));
            }

            var markId = fields[id].Trim();
            var markName = fields[mark].Trim();
            if (markId.Length == 0 || markName.Length == 0)
            {
                throw Error("screen.marks.blank", string.Create(CultureInfo.InvariantCulture, $"{name} line {line}: the {(markId.Length == 0 ? "id" : "mark")} is empty"));
            }

            var excluded = exclusions >= 0 ? fields[exclusions].Trim() : "";
            rows++;
            if (!seen.Add((markId, markName, excluded)))
            {
                duplicates++;
                continue;
            }

            marks.Add(new Mark(markId, [markName], excluded.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        return new Result(marks, rows, duplicates);
    }

    /// <summary>The records of a CSV text with the line each starts on; quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> Records(TextReader reader, string name)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var any = false;
        int read;
        while ((read = reader.Read()) >= 0)
        {
            var c = (char)read;
            any = true;
            if (quoted)
            {
                if (c != '"')
                {
                    line += c == '\n' ? 1 : 0;
                    field.Append(c);
                }
                else if (reader.Peek() == '"')
                {
                    _ = reader.Read();
                    field.Append('"');
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (start, fields);
                    fields = [];
                    any = false;
                    start = ++line;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw Error("screen.marks.quote", string.Create(CultureInfo.InvariantCulture, $"{name} line {start}: a quoted field is never closed"));
        }

        if (any)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }

    private static RuleViolationException Error(string code, string message) => new(code, message);

    /// <summary>Reads a risk-term file: one term per line, or a language and a term separated by a tab; # starts a comment line.</summary>
    public static IReadOnlyList<RiskTerm> RiskTerms(string path)
    {
        var terms = new List<RiskTerm>();
        var line = 0;
        foreach (var text in File.ReadLines(path, Encoding.UTF8))
        {
            line++;
            var trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var tab = trimmed.IndexOf('\t', StringComparison.Ordinal);
            var term = tab < 0 ? trimmed : trimmed[(tab + 1)..].Trim();
            if (term.Length == 0)
            {
                throw Error("screen.terms.blank", string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(path)} line {line}: the term is empty"));
            }

            terms.Add(new RiskTerm(term, tab < 0 ? "und" : trimmed[..tab].Trim()));
        }

        return terms;
    }
}
