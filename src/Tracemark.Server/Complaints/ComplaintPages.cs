using System.Globalization;
using Tracemark.Core.Complaints;

namespace Tracemark.Server.Complaints;

/// <summary>What the complaints' pages share: wire names for resource keys, times, clocks.</summary>
public static class ComplaintPages
{
    public static string Wire<T>(T value)
        where T : struct, Enum => ComplaintWire.ToWire(value);

    public static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Time left to a deadline as "3 h 20 min" or "2 d 4 h"; negative when past.</summary>
    public static string Left(DateTimeOffset due, DateTimeOffset now)
    {
        var left = due - now;
        var past = left < TimeSpan.Zero;
        var span = past ? -left : left;
        var text = span.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays} d {span.Hours} h")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Hours} h {span.Minutes} min");
        return past ? "−" + text : text;
    }

    public static bool Chinese => CultureInfo.CurrentUICulture.Name == "zh-CN";

    public static string Name(Platform.Api.OrganisationRef organisation) => Chinese ? organisation.NameZh : organisation.NameEn;

    public static string Share(decimal? share) => share is { } s ? (s * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";
}
