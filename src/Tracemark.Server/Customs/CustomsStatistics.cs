using Tracemark.Core.Errors;
using Tracemark.Core.Geography;
using Tracemark.Core.Money;
using Tracemark.Core.Rights;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Customs;

public sealed record StatisticsRow(string Key, string Label, int Detentions, decimal Items, decimal? Value, int Unconverted);

/// <summary>
/// Detentions, items and value by one dimension, values converted into <see cref="Currency"/> with the configured
/// rates (<see cref="StatisticsRow.Unconverted"/> counts detentions whose currency has no rate and is left out of the value).
/// </summary>
public sealed record StatisticsView(string By, string Currency, DateOnly? From, DateOnly? To, IReadOnlyList<StatisticsRow> Rows, StatisticsRow Total);

public sealed record StatisticsFilter(string? By, string? From, string? To, string? Currency);

/// <summary>
/// Counts for the annual report and the statistics page: by port, transport mode, origin, product category, right
/// holder or month of detention. It is one GROUP BY over the detentions the caller may see (row-level security), so
/// customs counts its own and those shared with it, and a right holder counts its own.
/// </summary>
public sealed class CustomsStatistics(Db db, CustomsWords words)
{
    public static readonly IReadOnlyList<string> Dimensions = ["port", "mode", "origin", "category", "holder", "month"];

    public async Task<StatisticsView> ComputeAsync(StatisticsFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var by = filter.By ?? "month";
        if (!Dimensions.Contains(by, StringComparer.Ordinal))
        {
            rules.Add("by", "customs.dimension_unknown", by, string.Join(", ", Dimensions));
        }

        var from = Dates.Parse(rules, "from", filter.From);
        var to = Dates.Parse(rules, "to", filter.To);
        if (from is { } f && to is { } t && t < f)
        {
            rules.Add("to", "date.before_start", Dates.Format(f));
        }

        var currency = filter.Currency is null ? "CNY" : Currencies.Normalise(filter.Currency);
        if (currency is null)
        {
            rules.Add("currency", "currency.unknown", filter.Currency!);
        }

        rules.ThrowIfAny();
        var key = by switch
        {
            "port" => "coalesce(d.port, '-')",
            "mode" => "coalesce(d.transport_mode, '-')",
            "origin" => "coalesce(d.origin, '-')",
            "category" => "d.product_category",
            "holder" => "d.holder_org_id::text",
            _ => "to_char(d.detained_at AT TIME ZONE 'UTC', 'YYYY-MM')",
        };
        await using var tx = await db.BeginAsync(cancellationToken);
        if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM customs_exchange_rates WHERE currency = @currency)", new { currency }, cancellationToken))
        {
            throw new InputValidationException("currency", "customs.rate_unknown", currency!);
        }

        var rows = (await tx.QueryAsync<(string Key, int Detentions, decimal Items, decimal? Value, int Unconverted)>(
            $"""
            SELECT {key} AS key, count(*)::int AS detentions, sum(d.quantity) AS items,
                   sum(d.value_amount / r.per_usd * target.per_usd) AS value, count(*) FILTER (WHERE r.currency IS NULL)::int AS unconverted
            FROM customs_detentions d
            LEFT JOIN customs_exchange_rates r ON r.currency = d.value_currency
            CROSS JOIN (SELECT per_usd FROM customs_exchange_rates WHERE currency = @currency) target
            WHERE (@from::date IS NULL OR (d.detained_at AT TIME ZONE 'UTC')::date >= @from) AND (@to::date IS NULL OR (d.detained_at AT TIME ZONE 'UTC')::date <= @to)
            GROUP BY 1
            ORDER BY 1
            """,
            new { currency, from, to },
            cancellationToken)).ToList();
        var holders = by == "holder"
            ? (await tx.QueryAsync<(Guid Id, string NameEn, string NameZh)>(
                "SELECT id, name_en, name_zh FROM organisations WHERE id = ANY (@ids)",
                new { ids = rows.Select(r => Guid.Parse(r.Key)).ToArray() },
                cancellationToken)).ToDictionary(o => o.Id.ToString(), o => System.Globalization.CultureInfo.CurrentUICulture.Name == "zh-CN" ? o.NameZh : o.NameEn, StringComparer.Ordinal)
            : [];
        await tx.AuditAsync("customs.statistics.read", "customs_detention", null, detail: new { by, from, to, currency }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);

        var result = rows.Select(r => new StatisticsRow(
                r.Key,
                by switch
                {
                    "mode" => words.Mode(r.Key),
                    "category" => words.Category(r.Key),
                    "origin" => Countries.IsCode(r.Key) ? $"{r.Key} {Countries.EnglishName(r.Key)}" : r.Key,
                    "holder" => holders.GetValueOrDefault(r.Key, r.Key),
                    _ => r.Key,
                },
                r.Detentions,
                r.Items,
                r.Value is { } v ? Math.Round(v, 2, MidpointRounding.AwayFromZero) : null,
                r.Unconverted))
            .OrderByDescending(r => by == "month" ? 0 : r.Detentions)
            .ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        var total = new StatisticsRow(
            "total",
            words["stats.total"],
            result.Sum(r => r.Detentions),
            result.Sum(r => r.Items),
            result.Sum(r => r.Value ?? 0),
            result.Sum(r => r.Unconverted));
        return new StatisticsView(by, currency!, from, to, result, total);
    }
}
