using System.Globalization;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

/// <summary>
/// One group of notices: how many, how many the platform decided and took down, the median time from filing to
/// decision, and how many takedowns the seller answered. Rates are shares (0–1); null when nothing to divide.
/// </summary>
public sealed record StatisticsRow(
    string? Month,
    OrganisationRef? Platform,
    OrganisationRef? Holder,
    int Notices,
    int Decided,
    int TakenDown,
    decimal? TakedownRate,
    double? MedianHoursToAction,
    int CounterNotices,
    decimal? CounterNoticeRate,
    int Restored,
    int Linked);

public sealed record StatisticsView(DateTimeOffset From, DateTimeOffset To, StatisticsRow Total, IReadOnlyList<StatisticsRow> ByPlatform, IReadOnlyList<StatisticsRow> ByHolder, IReadOnlyList<StatisticsRow> ByMonth);

/// <summary>
/// Statistics of notices by platform, rights holder and month (UTC), computed in SQL over the notices the caller
/// may see: a platform its own, a holder its own, an authority those shared with it through their distribution.
/// </summary>
public sealed class ComplaintStatistics(Db db, TimeProvider clock)
{
    public async Task<StatisticsView> QueryAsync(string? from, string? to, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var now = clock.GetUtcNow();
        var end = QueryValues.Instant(rules, "to", to) ?? now;
        var start = QueryValues.Instant(rules, "from", from) ?? new DateTimeOffset(end.Year, end.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-11);
        if (end <= start)
        {
            rules.Add("to", "date.before_start", start.ToString("O", CultureInfo.InvariantCulture));
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = (await tx.QueryAsync<Row>(
            """
            SELECT CASE WHEN grouping(n.platform_org_id) = 0 THEN 'platform' WHEN grouping(n.holder_org_id) = 0 THEN 'holder'
                        WHEN grouping(date_trunc('month', n.created_at AT TIME ZONE 'UTC')) = 0 THEN 'month' ELSE 'total' END AS dimension,
                   to_char(date_trunc('month', n.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
                   n.platform_org_id, n.holder_org_id,
                   count(*) FILTER (WHERE n.state <> 'linked')::int AS notices,
                   count(*) FILTER (WHERE n.decided_at IS NOT NULL)::int AS decided,
                   count(*) FILTER (WHERE n.measure IN ('remove', 'block', 'restrict'))::int AS taken_down,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM n.decided_at - n.created_at) / 3600.0)
                       FILTER (WHERE n.decided_at IS NOT NULL) AS median_hours,
                   count(*) FILTER (WHERE n.counter_notice_at IS NOT NULL)::int AS counter_notices,
                   count(*) FILTER (WHERE n.state = 'restored')::int AS restored,
                   count(*) FILTER (WHERE n.state = 'linked')::int AS linked
            FROM complaint_notices n
            WHERE n.created_at >= @start AND n.created_at < @end
            GROUP BY GROUPING SETS ((n.platform_org_id), (n.holder_org_id), (date_trunc('month', n.created_at AT TIME ZONE 'UTC')), ())
            """,
            new { start, end },
            cancellationToken)).ToList();
        var ids = rows.SelectMany(r => new[] { r.PlatformOrgId, r.HolderOrgId }).OfType<Guid>().Distinct().ToArray();
        var names = (await tx.QueryAsync<OrganisationRef>("SELECT id, name_en, name_zh, kind FROM organisations WHERE id = ANY (@ids)", new { ids }, cancellationToken))
            .ToDictionary(o => o.Id);
        await tx.AuditAsync("complaint.statistics", "complaint_notice", null, detail: new { start, end }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);

        StatisticsRow View(Row r) => new(
            r.Dimension == "month" ? r.Month : null,
            r.Dimension == "platform" && r.PlatformOrgId is { } p ? names[p] : null,
            r.Dimension == "holder" && r.HolderOrgId is { } h ? names[h] : null,
            r.Notices,
            r.Decided,
            r.TakenDown,
            r.Decided == 0 ? null : Math.Round((decimal)r.TakenDown / r.Decided, 4),
            r.MedianHours is { } m ? Math.Round(m, 2) : null,
            r.CounterNotices,
            r.TakenDown == 0 ? null : Math.Round((decimal)r.CounterNotices / r.TakenDown, 4),
            r.Restored,
            r.Linked);
        var total = rows.FirstOrDefault(r => r.Dimension == "total") is { } t ? View(t) : new StatisticsRow(null, null, null, 0, 0, 0, null, null, 0, null, 0, 0);
        return new StatisticsView(
            start,
            end,
            total,
            rows.Where(r => r.Dimension == "platform").Select(View).OrderByDescending(r => r.Notices).ThenBy(r => r.Platform!.NameEn, StringComparer.Ordinal).ToList(),
            rows.Where(r => r.Dimension == "holder").Select(View).OrderByDescending(r => r.Notices).ThenBy(r => r.Holder!.NameEn, StringComparer.Ordinal).ToList(),
            rows.Where(r => r.Dimension == "month").Select(View).OrderBy(r => r.Month, StringComparer.Ordinal).ToList());
    }

    private sealed record Row(
        string Dimension, string? Month, Guid? PlatformOrgId, Guid? HolderOrgId, int Notices, int Decided, int TakenDown, double? MedianHours,
        int CounterNotices, int Restored, int Linked);
}
