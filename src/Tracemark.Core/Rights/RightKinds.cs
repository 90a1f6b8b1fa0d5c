namespace Tracemark.Core.Rights;

/// <summary>The kinds of intellectual property right the registry holds.</summary>
public enum RightType
{
    Trademark,
    Patent,
    Design,
    Copyright,
    GeographicalIndication,
    PlantVariety,
}

/// <summary>A right's legal state as its office reports it.</summary>
public enum RightStatus
{
    Pending,
    Registered,
    Expired,
    Cancelled,
    Opposed,
}

/// <summary>The form of a trademark or the kind of a patent; other types have none.</summary>
public enum RightForm
{
    /// <summary>A trademark of words or letters only.</summary>
    Word,

    /// <summary>A trademark that is a picture (logo) only.</summary>
    Figurative,

    /// <summary>A trademark of words and a picture together.</summary>
    Combined,

    /// <summary>A patent for an invention (PRC 发明专利).</summary>
    Invention,

    /// <summary>A utility model (PRC 实用新型).</summary>
    UtilityModel,
}

/// <summary>
/// Wire names (the API's snake_case, the database's values) and the Chinese words rights holders type
/// in spreadsheets, so that an import in either language reads the same.
/// </summary>
public static class RightWords
{
    private static readonly (RightType Value, string Wire, string[] Aliases)[] Types =
    [
        (RightType.Trademark, "trademark", ["trade_mark", "tm", "商标", "注册商标"]),
        (RightType.Patent, "patent", ["专利"]),
        (RightType.Design, "design", ["industrial_design", "外观设计", "外观设计专利"]),
        (RightType.Copyright, "copyright", ["著作权", "版权"]),
        (RightType.GeographicalIndication, "geographical_indication", ["gi", "地理标志"]),
        (RightType.PlantVariety, "plant_variety", ["植物新品种"]),
    ];

    private static readonly (RightStatus Value, string Wire, string[] Aliases)[] Statuses =
    [
        (RightStatus.Pending, "pending", ["申请中", "审查中", "filed"]),
        (RightStatus.Registered, "registered", ["已注册", "有效", "granted", "已授权"]),
        (RightStatus.Expired, "expired", ["已过期", "失效", "已失效"]),
        (RightStatus.Cancelled, "cancelled", ["canceled", "已撤销", "已注销", "revoked"]),
        (RightStatus.Opposed, "opposed", ["异议中", "被异议"]),
    ];

    private static readonly (RightForm Value, string Wire, string[] Aliases)[] Forms =
    [
        (RightForm.Word, "word", ["文字", "文字商标"]),
        (RightForm.Figurative, "figurative", ["图形", "图形商标"]),
        (RightForm.Combined, "combined", ["组合", "组合商标"]),
        (RightForm.Invention, "invention", ["发明", "发明专利"]),
        (RightForm.UtilityModel, "utility_model", ["实用新型"]),
    ];

    public static string ToWire(this RightType type) => Types.First(t => t.Value == type).Wire;

    public static string ToWire(this RightStatus status) => Statuses.First(s => s.Value == status).Wire;

    public static string ToWire(this RightForm form) => Forms.First(f => f.Value == form).Wire;

    public static bool TryParseType(string? text, out RightType type) => TryParse(Types, text, out type);

    public static bool TryParseStatus(string? text, out RightStatus status) => TryParse(Statuses, text, out status);

    public static bool TryParseForm(string? text, out RightForm form) => TryParse(Forms, text, out form);

    public static RightType ParseType(string wire) => TryParseType(wire, out var type) ? type : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown right type.");

    public static RightStatus ParseStatus(string wire) => TryParseStatus(wire, out var status) ? status : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown right status.");

    public static RightForm ParseForm(string wire) => TryParseForm(wire, out var form) ? form : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown right form.");

    public static IReadOnlyList<string> TypeWires => Types.Select(t => t.Wire).ToList();

    public static IReadOnlyList<string> StatusWires => Statuses.Select(s => s.Wire).ToList();

    public static IReadOnlyList<string> FormWires => Forms.Select(f => f.Wire).ToList();

    /// <summary>The forms a type allows; empty for types that have none.</summary>
    public static IReadOnlyList<RightForm> FormsOf(RightType type) => type switch
    {
        RightType.Trademark => [RightForm.Word, RightForm.Figurative, RightForm.Combined],
        RightType.Patent => [RightForm.Invention, RightForm.UtilityModel],
        _ => [],
    };

    /// <summary>Case, spaces, hyphens and full-width forms do not matter: "Geographical Indication", "ＰＡＴＥＮＴ" and "专利" all parse.</summary>
    private static bool TryParse<T>((T Value, string Wire, string[] Aliases)[] table, string? text, out T value)
        where T : struct
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var key = text.Normalize(System.Text.NormalizationForm.FormKC).Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
        foreach (var (candidate, wire, aliases) in table)
        {
            if (string.Equals(wire, key, StringComparison.Ordinal) || aliases.Contains(key, StringComparer.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        return false;
    }
}
