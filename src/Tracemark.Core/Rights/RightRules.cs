using System.Globalization;
using System.Text;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Rights;

/// <summary>A right as a client sends it (API body, JSON import element or CSV row): text as typed, checked by <see cref="RightRules.Validate"/>.</summary>
public sealed record RightInput(
    string? Type,
    string? Form,
    string? Jurisdiction,
    string? Number,
    string? ApplicationNumber,
    string? Name,
    string? NameZh,
    IReadOnlyList<string>? OtherNames,
    IReadOnlyList<int>? Classes,
    string? Goods,
    string? Filed,
    string? Registered,
    string? Expires,
    string? Status,
    string? Area,
    string? Product,
    string? Species,
    string? Description);

/// <summary>A right's content after validation: known words, normalised codes, dates in order.</summary>
public sealed record RightContent(
    RightType Type,
    RightForm? Form,
    string Jurisdiction,
    string? Number,
    string? NumberKey,
    string? ApplicationNumber,
    string Name,
    string? NameZh,
    IReadOnlyList<string> OtherNames,
    IReadOnlyList<int> Classes,
    string? Goods,
    DateOnly? Filed,
    DateOnly? Registered,
    DateOnly? Expires,
    RightStatus Status,
    string? Area,
    string? Product,
    string? Species,
    string? Description);

public static class RightRules
{
    public const int NameMax = 300;
    public const int NumberMax = 64;
    public const int OtherNamesMax = 20;
    public const int GoodsMax = 10_000;
    public const int DescriptionMax = 5_000;
    public const int ShortTextMax = 300;

    /// <summary>
    /// Checks every field and reports every problem at once under the member names the API uses
    /// (camelCase); importers rename them to their own column names.
    /// </summary>
    public static RightContent? Validate(FieldRules rules, RightInput input)
    {
        var before = rules.Errors.Count;
        RightType type = default;
        var typeKnown = false;
        if (string.IsNullOrWhiteSpace(input.Type))
        {
            rules.Add("type", "required");
        }
        else if (RightWords.TryParseType(input.Type, out type))
        {
            typeKnown = true;
        }
        else
        {
            rules.Add("type", "right.type_unknown", input.Type.Trim(), string.Join(", ", RightWords.TypeWires));
        }

        RightForm? form = null;
        if (!string.IsNullOrWhiteSpace(input.Form))
        {
            if (!RightWords.TryParseForm(input.Form, out var parsed))
            {
                rules.Add("form", "right.form_unknown", input.Form.Trim(), string.Join(", ", RightWords.FormWires));
            }
            else if (typeKnown && !RightWords.FormsOf(type).Contains(parsed))
            {
                rules.Add("form", "right.form_not_for_type", parsed.ToWire(), type.ToWire());
            }
            else
            {
                form = parsed;
            }
        }
        else if (typeKnown && RightWords.FormsOf(type).Count > 0)
        {
            form = RightWords.FormsOf(type)[0];
        }

        string? jurisdiction = null;
        if (string.IsNullOrWhiteSpace(input.Jurisdiction))
        {
            rules.Add("jurisdiction", "required");
        }
        else
        {
            jurisdiction = Jurisdictions.Normalise(input.Jurisdiction);
            if (jurisdiction is null)
            {
                rules.Add("jurisdiction", "right.jurisdiction_unknown", input.Jurisdiction.Trim());
            }
        }

        var number = rules.Optional("number", input.Number, NumberMax);
        var numberKey = number is null ? null : NumberKey(number);
        if (number is null && typeKnown && type != RightType.Copyright)
        {
            rules.Add("number", "required");
        }
        else if (number is not null && numberKey is null)
        {
            rules.Add("number", "right.number_without_digits", number);
        }

        var name = rules.Required("name", input.Name, NameMax);
        var nameZh = rules.Optional("nameZh", input.NameZh, NameMax);
        var otherNames = OtherNames(rules, input.OtherNames);
        var classes = Classes(rules, input.Classes);
        if (classes.Count > 0 && typeKnown && type != RightType.Trademark)
        {
            rules.Add("classes", "right.classes_trademarks_only");
        }

        var filed = Dates.Parse(rules, "filed", input.Filed);
        var registered = Dates.Parse(rules, "registered", input.Registered);
        var expires = Dates.Parse(rules, "expires", input.Expires);
        if (filed is { } f && registered is { } r && r < f)
        {
            rules.Add("registered", "date.before", "filed", Dates.Format(f));
        }

        if (expires is { } e)
        {
            if (registered is { } r2 && e <= r2)
            {
                rules.Add("expires", "date.not_after", "registered", Dates.Format(r2));
            }
            else if (filed is { } f2 && e <= f2)
            {
                rules.Add("expires", "date.not_after", "filed", Dates.Format(f2));
            }
        }

        var status = RightStatus.Registered;
        if (string.IsNullOrWhiteSpace(input.Status))
        {
            status = registered is null ? RightStatus.Pending : RightStatus.Registered;
        }
        else if (!RightWords.TryParseStatus(input.Status, out status))
        {
            rules.Add("status", "right.status_unknown", input.Status.Trim(), string.Join(", ", RightWords.StatusWires));
        }

        var area = rules.Optional("area", input.Area, ShortTextMax);
        var product = rules.Optional("product", input.Product, ShortTextMax);
        var species = rules.Optional("species", input.Species, ShortTextMax);
        if (typeKnown && type != RightType.GeographicalIndication)
        {
            if (area is not null)
            {
                rules.Add("area", "right.field_not_for_type", type.ToWire());
            }

            if (product is not null)
            {
                rules.Add("product", "right.field_not_for_type", type.ToWire());
            }
        }

        if (typeKnown && type != RightType.PlantVariety && species is not null)
        {
            rules.Add("species", "right.field_not_for_type", type.ToWire());
        }

        var goods = rules.Optional("goods", input.Goods, GoodsMax);
        var description = rules.Optional("description", input.Description, DescriptionMax);
        var applicationNumber = rules.Optional("applicationNumber", input.ApplicationNumber, NumberMax);

        if (rules.Errors.Count > before || jurisdiction is null)
        {
            return null;
        }

        return new RightContent(type, form, jurisdiction, number, numberKey, applicationNumber, name, nameZh, otherNames, classes, goods,
            filed, registered, expires, status, area, product, species, description);
    }

    /// <summary>
    /// The number as offices and officers compare it: ASCII letters and digits only, upper case, full-width
    /// folded ("第 12345678 号", "１２３４５６７８" and "12-345-678" are one number). Null when nothing is left.
    /// </summary>
    public static string? NumberKey(string number)
    {
        var folded = number.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(folded.Length);
        foreach (var c in folded)
        {
            if (char.IsAsciiDigit(c) || char.IsAsciiLetter(c))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>Nice classes 1–45, sorted, without repeats; each bad one is reported by its position.</summary>
    public static IReadOnlyList<int> Classes(FieldRules rules, IReadOnlyList<int>? classes)
    {
        if (classes is null || classes.Count == 0)
        {
            return [];
        }

        var result = new SortedSet<int>();
        for (var i = 0; i < classes.Count; i++)
        {
            if (classes[i] is < NiceClasses.First or > NiceClasses.Last)
            {
                rules.Add(string.Create(CultureInfo.InvariantCulture, $"classes[{i}]"), "right.class_out_of_range", classes[i], NiceClasses.First, NiceClasses.Last);
            }
            else
            {
                result.Add(classes[i]);
            }
        }

        return [.. result];
    }

    private static List<string> OtherNames(FieldRules rules, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return [];
        }

        if (names.Count > OtherNamesMax)
        {
            rules.Add("otherNames", "too_many", OtherNamesMax);
            return [];
        }

        var result = new List<string>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var name = rules.Optional(string.Create(CultureInfo.InvariantCulture, $"otherNames[{i}]"), names[i], NameMax);
            if (name is not null && !result.Contains(name, StringComparer.Ordinal))
            {
                result.Add(name);
            }
        }

        return result;
    }
}

/// <summary>The Nice Classification: classes 1–34 are goods, 35–45 services.</summary>
public static class NiceClasses
{
    public const int First = 1;
    public const int Last = 45;

    private static readonly char[] Separators = [';', ',', ' ', '、', '/', '|'];

    /// <summary>
    /// Classes as a spreadsheet cell holds them: "25;18", "25, 18", "２５；１８" or "第25类;第18类". Words that are
    /// not numbers are reported; numbers outside 1–45 pass through for <see cref="RightRules.Classes"/> to report.
    /// </summary>
    public static IReadOnlyList<int> ParseList(FieldRules rules, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var result = new List<int>();
        foreach (var token in text.Normalize(NormalizationForm.FormKC).Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var digits = token.Trim('第', '类', '類');
            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                result.Add(number);
            }
            else
            {
                rules.Add(field, "right.class_not_a_number", token);
            }
        }

        return result;
    }
}

/// <summary>Calendar dates as ISO 8601 (2019-04-01), also in the year-first forms spreadsheets produce (2019/4/1, 2019年4月1日).</summary>
public static class Dates
{
    private static readonly string[] Formats = ["yyyy-MM-dd", "yyyy-M-d", "yyyy/M/d", "yyyy.M.d", "yyyy年M月d日"];

    public static DateOnly? Parse(FieldRules rules, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Normalize(NormalizationForm.FormKC).Trim();
        if (DateOnly.TryParseExact(trimmed, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        rules.Add(field, "date.not_a_date", text.Trim());
        return null;
    }

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
