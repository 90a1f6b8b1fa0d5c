using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Customs;

/// <summary>
/// A Harmonized System code as declared: the six-digit HS subheading (chapter, heading, subheading) and
/// the national digits after it (8 in the PRC tariff, 10 in the US HTS and the EU TARIC).
/// </summary>
public readonly record struct HsCode(string Digits)
{
    public int Chapter => (Digits[0] - '0') * 10 + (Digits[1] - '0');

    public string Heading => Digits[..4];

    public string Subheading => Digits[..6];

    public override string ToString() => Digits;
}

/// <summary>
/// Facts of the WCO Harmonized System (2022 edition): which chapters exist and the last heading of each,
/// so that a code with an unknown chapter or a heading past its chapter's last one is refused. The full
/// nomenclature (about 5,600 subheadings) is not carried: the national tariff decides the rest.
/// </summary>
public static class HsCodes
{
    // Last heading of each chapter in HS 2022, by chapter number (index 0 unused). 0: the chapter does not exist
    // (77 is reserved for future use; 98 and 99 are left to national use).
    private static readonly int[] LastHeading =
    [
        0, 6, 10, 9, 10, 11, 4, 14, 14, 10, 8,
        9, 14, 2, 4, 22, 5, 4, 6, 5, 9,
        6, 9, 9, 4, 30, 21, 16, 53, 42, 6,
        5, 15, 7, 7, 7, 6, 7, 27, 26, 17,
        15, 6, 4, 21, 4, 2, 7, 23, 11, 7,
        13, 12, 11, 8, 16, 9, 5, 11, 11, 6,
        17, 17, 10, 6, 7, 3, 4, 15, 14, 20,
        18, 29, 26, 19, 8, 16, 0, 6, 7, 7,
        13, 15, 11, 87, 49, 9, 16, 7, 8, 33,
        14, 9, 7, 6, 8, 20, 6,
    ];

    public static bool ChapterExists(int chapter) => chapter is > 0 and < 98 && LastHeading[chapter] > 0;

    /// <summary>
    /// Reads a code as declarations write it ("6201.40", "6201 40 90", "６２０１４０", "620140.00"): digits with
    /// dots and spaces, 6, 8 or 10 of them. Problems go to <paramref name="rules"/> under <paramref name="field"/>.
    /// </summary>
    public static HsCode? Parse(FieldRules rules, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            rules.Add(field, "required");
            return null;
        }

        var digits = new StringBuilder(10);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not ('.' or ' ' or '-'))
            {
                rules.Add(field, "customs.hs_malformed", text.Trim());
                return null;
            }
        }

        if (digits.Length is not (6 or 8 or 10))
        {
            rules.Add(field, "customs.hs_malformed", text.Trim());
            return null;
        }

        var code = new HsCode(digits.ToString());
        if (!ChapterExists(code.Chapter))
        {
            rules.Add(field, "customs.hs_unknown_chapter", code.Digits[..2]);
            return null;
        }

        var last = LastHeading[code.Chapter];
        var heading = int.Parse(code.Digits.AsSpan(2, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (heading < 1 || heading > last)
        {
            rules.Add(field, "customs.hs_unknown_heading", code.Heading, code.Digits[..2], last.ToString("00", CultureInfo.InvariantCulture));
            return null;
        }

        return code;
    }
}

/// <summary>
/// The product categories statistics are counted by, each a set of HS chapters (headings where a chapter
/// mixes categories). Counterfeiting reports name goods this way (clothing, footwear, medicines…), not by
/// the 97 chapters; a code in no category is "other".
/// </summary>
public static class ProductCategories
{
    public const string Other = "other";

    // More specific entries (headings) come first: the first match wins.
    private static readonly (string Category, string[] Prefixes)[] Table =
    [
        ("eyewear", ["9004"]),
        ("watches", ["91"]),
        ("jewellery", ["71"]),
        ("clothing", ["61", "62", "6501", "6502", "6504", "6505", "6506", "6507"]),
        ("footwear", ["64"]),
        ("bags_leather", ["42"]),
        ("medicines", ["30"]),
        ("cosmetics", ["33", "34"]),
        ("tobacco", ["24"]),
        ("foodstuffs", ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23"]),
        ("toys_games", ["95"]),
        ("media", ["49", "8523"]),
        ("electronics", ["84", "85"]),
        ("vehicle_parts", ["87", "4011", "6813"]),
        ("textiles", ["50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "63"]),
    ];

    public static IReadOnlyList<string> All { get; } = [.. Table.Select(t => t.Category).Distinct(StringComparer.Ordinal), Other];

    public static string Of(HsCode code) => Of(code.Digits);

    /// <summary>The category of a code given as digits (at least the chapter).</summary>
    public static string Of(string digits)
    {
        foreach (var (category, prefixes) in Table)
        {
            foreach (var prefix in prefixes)
            {
                if (digits.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return category;
                }
            }
        }

        return Other;
    }
}
