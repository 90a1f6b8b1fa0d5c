using System.Globalization;
using Tracemark.Server.Platform.Api;

namespace Tracemark.Server.Evidence;

/// <summary>Small formatting rules the evidence pages share.</summary>
public static class EvidenceViews
{
    private static bool Chinese => CultureInfo.CurrentUICulture.Name == "zh-CN";

    public static string Name(OrganisationRef organisation) => Chinese ? organisation.NameZh : organisation.NameEn;

    /// <summary>Times as the ledger records them: UTC, to the second (the leaf keeps milliseconds).</summary>
    public static string Instant(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string RecordUrl(EvidenceRecordRef record) => record.Type switch
    {
        "alert" => $"/alerts/{record.Id}",
        "right" => $"/rights/{record.Id}",
        _ => "#",
    };

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
    };
}
