using Tracemark.Core.Errors;
using Tracemark.Core.Geography;

namespace Tracemark.Core.Alerts;

public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>An alert's content as the owner writes it, after validation: trimmed text, known countries.</summary>
public sealed record AlertContent(
    string Title,
    string Body,
    string? ProductCategory,
    string? RightsConcerned,
    IReadOnlyList<string> OriginCountries,
    IReadOnlyList<string> DestinationCountries,
    Severity Severity);

public static class AlertRules
{
    public const int TitleMax = 200;
    public const int BodyMax = 10_000;
    public const int CategoryMax = 100;
    public const int RightsMax = 1_000;
    public const int CountriesMax = 50;

    public static AlertContent Validate(
        FieldRules rules,
        string? title,
        string? body,
        string? productCategory,
        string? rightsConcerned,
        IReadOnlyList<string>? originCountries,
        IReadOnlyList<string>? destinationCountries,
        Severity? severity)
    {
        var content = new AlertContent(
            rules.Required("title", title, TitleMax),
            rules.Required("body", body, BodyMax),
            rules.Optional("productCategory", productCategory, CategoryMax),
            rules.Optional("rightsConcerned", rightsConcerned, RightsMax),
            CountryList(rules, "originCountries", originCountries),
            CountryList(rules, "destinationCountries", destinationCountries),
            severity ?? Severity.Medium);
        return content;
    }

    /// <summary>ISO 3166-1 alpha-2 codes, upper-cased, without repeats; each unknown code is reported by its position.</summary>
    public static IReadOnlyList<string> CountryList(FieldRules rules, string field, IReadOnlyList<string>? codes)
    {
        if (codes is null || codes.Count == 0)
        {
            return [];
        }

        if (codes.Count > CountriesMax)
        {
            rules.Add(field, "too_many", CountriesMax);
            return [];
        }

        var result = new List<string>(codes.Count);
        for (var i = 0; i < codes.Count; i++)
        {
            var code = Countries.Normalise(codes[i]);
            if (code is null)
            {
                rules.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{field}[{i}]"), "country.unknown", codes[i] ?? "");
            }
            else if (!result.Contains(code, StringComparer.Ordinal))
            {
                result.Add(code);
            }
        }

        return result;
    }
}
