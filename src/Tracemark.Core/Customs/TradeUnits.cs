using System.Text;

namespace Tracemark.Core.Customs;

/// <summary>
/// Units of quantity as declarations and identification guides write them ("PCE", "pcs", "件", "sets",
/// "套"), folded to one key, so a declared unit value can be compared with a guide's price band only
/// when both count the same thing. Codes follow UN/ECE Recommendation 20 where there is one (PCE, PR,
/// SET, CT, KGM, LTR); an unknown unit keeps its own folded text and so matches only itself.
/// </summary>
public static class TradeUnits
{
    public const string Piece = "piece";
    public const string Pair = "pair";
    public const string Set = "set";
    public const string Carton = "carton";
    public const string Box = "box";
    public const string Kilogram = "kg";
    public const string Litre = "litre";
    public const string Dozen = "dozen";

    private static readonly (string Unit, string[] Aliases)[] Table =
    [
        (Piece, ["piece", "pieces", "pc", "pcs", "pce", "h87", "unit", "units", "item", "items", "ea", "each", "nar", "件", "个", "個", "只", "支", "条", "台", "片", "块"]),
        (Pair, ["pair", "pairs", "pr", "prs", "双", "對", "对"]),
        (Set, ["set", "sets", "套", "副"]),
        (Carton, ["carton", "cartons", "ctn", "ctns", "ct", "箱"]),
        (Box, ["box", "boxes", "bx", "盒"]),
        (Kilogram, ["kg", "kgs", "kgm", "kilogram", "kilograms", "千克", "公斤"]),
        (Litre, ["l", "ltr", "litre", "litres", "liter", "liters", "升"]),
        (Dozen, ["dozen", "dz", "dzn", "打"]),
    ];

    private static readonly Dictionary<string, string> Aliases = Table
        .SelectMany(t => t.Aliases.Select(a => (Alias: a, t.Unit)))
        .ToDictionary(a => a.Alias, a => a.Unit, StringComparer.Ordinal);

    /// <summary>The unit's key: case, width and spaces folded; known aliases (in English and Chinese) mapped to one name.</summary>
    public static string Fold(string unit)
    {
        var key = unit.Normalize(NormalizationForm.FormKC).Trim().TrimEnd('.').ToLowerInvariant();
        return Aliases.TryGetValue(key, out var folded) ? folded : key;
    }

    /// <summary>Whether two units (as written) count the same thing.</summary>
    public static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(Fold(a), Fold(b), StringComparison.Ordinal);
}
