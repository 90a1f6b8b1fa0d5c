using System.Globalization;
using Tracemark.Server.Platform.Api;

namespace Tracemark.Server.Rights;

/// <summary>Small formatting helpers the registry's pages share: names in the reader's language, dates as ISO 8601.</summary>
public static class RightsView
{
    public static bool Chinese => CultureInfo.CurrentUICulture.Name == "zh-CN";

    public static string Name(OrganisationRef organisation) => Chinese ? organisation.NameZh : organisation.NameEn;

    /// <summary>The right's names in the reader's order: Chinese first for Chinese readers.</summary>
    public static string Names(string name, string? nameZh) =>
        nameZh is null ? name : Chinese ? $"{nameZh} / {name}" : $"{name} / {nameZh}";

    public static string Date(DateOnly? date) => date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

    public static string Instant(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Money(decimal amount) => amount.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Wire<T>(T value)
        where T : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
