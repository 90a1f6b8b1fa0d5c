using System.Globalization;
using Tracemark.Core.Errors;

namespace Tracemark.Server.Platform.Api;

/// <summary>
/// Query-string values parsed by hand rather than by the framework's binder, so that a bad value
/// becomes a field error naming the parameter, in the caller's language, like every other input error.
/// </summary>
public static class QueryValues
{
    public static int? Number(FieldRules rules, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        rules.Add(name, "number.invalid", value);
        return null;
    }

    public static bool? Bool(FieldRules rules, string name, string? value)
    {
        switch (value)
        {
            case null or "":
                return null;
            case "true" or "1":
                return true;
            case "false" or "0":
                return false;
            default:
                rules.Add(name, "invalid_value");
                return null;
        }
    }

    /// <summary>An enum member by its snake_case wire name (e.g. "high", "market_regulator").</summary>
    public static T? Enum<T>(FieldRules rules, string name, string? value)
        where T : struct, System.Enum
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        foreach (var member in System.Enum.GetValues<T>())
        {
            if (string.Equals(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(member.ToString()), value, StringComparison.Ordinal))
            {
                return member;
            }
        }

        rules.Add(name, "invalid_value");
        return null;
    }

    public static DateTimeOffset? Instant(FieldRules rules, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }

        rules.Add(name, "date.invalid", value);
        return null;
    }

    public static Guid? Id(FieldRules rules, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (Guid.TryParse(value, out var id))
        {
            return id;
        }

        rules.Add(name, "invalid_value");
        return null;
    }
}
