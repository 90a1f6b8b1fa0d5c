namespace Tracemark.Server.Platform.Export;

/// <summary>
/// Writes CSV (RFC 4180) that is safe to open in a spreadsheet: a cell that starts like a formula
/// (=, +, -, @, a tab or a carriage return, or their full-width forms) gets a leading apostrophe, so
/// Excel and LibreOffice show it as text instead of running it (CSV or "formula" injection, OWASP).
/// Every export of the product goes through here.
/// </summary>
public sealed class CsvWriter(TextWriter writer)
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
    private static readonly char[] NeedsQuotes = [',', '"', '\n', '\r'];

    public async Task WriteRowAsync(IEnumerable<string?> cells)
    {
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
            {
                await writer.WriteAsync(',');
            }

            await writer.WriteAsync(Escape(cell));
            first = false;
        }

        await writer.WriteAsync("\r\n");
    }

    /// <summary>One cell: neutralised if it could run as a formula, quoted if it holds a comma, quote or line break.</summary>
    public static string Escape(string? cell)
    {
        if (string.IsNullOrEmpty(cell))
        {
            return "";
        }

        var text = FormulaStarts.Contains(cell[0]) ? "'" + cell : cell;
        return text.IndexOfAny(NeedsQuotes) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    /// <summary>
    /// Undoes <see cref="Escape"/>'s apostrophe when a file we exported is imported again: an apostrophe
    /// followed by a formula character was put there by us.
    /// </summary>
    public static string Unguard(string cell) =>
        cell.Length >= 2 && cell[0] == '\'' && FormulaStarts.Contains(cell[1]) ? cell[1..] : cell;
}
