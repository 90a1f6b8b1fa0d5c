using System.Globalization;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Customs;
using Tracemark.Core.Errors;
using Tracemark.Core.Money;
using Tracemark.Core.Organisations;
using Tracemark.Core.Rights;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Customs;

/// <summary>Marker for the customs strings (CustomsText.resx, CustomsText.zh-CN.resx): pages, risk reasons, states.</summary>
public sealed class CustomsText;

internal static class CustomsAccess
{
    /// <summary>Declarations, the work list and detaining are for customs authorities only.</summary>
    public static void RequireCustoms(Caller caller)
    {
        if (caller.OrganisationKind != OrganisationKind.Customs)
        {
            throw new AccessDeniedException("customs.customs_only", "Only customs authorities import declarations and detain goods.");
        }
    }
}

/// <summary>A risk reason as stored with a line: code, points and the facts its wording needs.</summary>
public sealed record StoredReason(string Code, int Points, Dictionary<string, string> Args);

/// <summary>A risk reason as the API shows it: the stable code and points, and the sentence in the reader's language.</summary>
public sealed record ReasonView(string Code, int Points, string Text);

/// <summary>Words of the customs feature in the reader's language, for values stored as codes (reasons, states, modes, categories).</summary>
public sealed class CustomsWords(IStringLocalizer<CustomsText> text)
{
    public string this[string key] => text[key];

    /// <summary>"reason.&lt;code&gt;" with {name} replaced from the reason's facts; modes, roles and match kinds are worded too.</summary>
    public ReasonView Reason(StoredReason reason)
    {
        var template = text["reason." + reason.Code];
        var sentence = template.ResourceNotFound ? reason.Code : template.Value;
        foreach (var (key, value) in reason.Args)
        {
            var shown = key switch
            {
                "kind" => Word("match." + value, value),
                "role" => Word("role." + value, value),
                "mode" => Word("mode." + value, value),
                _ => value,
            };
            sentence = sentence.Replace("{" + key + "}", shown, StringComparison.Ordinal);
        }

        return new ReasonView(reason.Code, reason.Points, sentence);
    }

    public string State(string state) => Word("state." + state, state);

    public string Mode(string mode) => Word("mode." + mode, mode);

    public string Category(string category) => Word("category." + category, category);

    public string Word(string key, string fallback)
    {
        var value = text[key];
        return value.ResourceNotFound ? fallback : value.Value;
    }
}

public sealed record RateView(string Currency, decimal PerUsd, DateOnly AsOf, DateTimeOffset UpdatedAt);

public sealed record RateChange(decimal? PerUsd, string? AsOf);

/// <summary>
/// Conversion rates (units per US dollar), kept as data by the platform administrator and used for unit
/// values against price bands and for statistics in one currency.
/// </summary>
public sealed class RateStore(Db db, TimeProvider clock)
{
    public static async Task<ExchangeRates> LoadAsync(DbTx tx, CancellationToken cancellationToken)
    {
        var rows = await tx.QueryAsync<(string Currency, decimal PerUsd)>("SELECT currency, per_usd FROM customs_exchange_rates", cancellationToken: cancellationToken);
        return new ExchangeRates(rows.ToDictionary(r => r.Currency.Trim(), r => r.PerUsd, StringComparer.Ordinal));
    }

    public async Task<IReadOnlyList<RateView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<RateView>("SELECT currency, per_usd, as_of, updated_at FROM customs_exchange_rates ORDER BY currency", cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => r with { Currency = r.Currency.Trim() }).ToList();
    }

    public async Task<RateView> SetAsync(string currency, RateChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var code = Currencies.Normalise(currency);
        if (code is null)
        {
            rules.Add("currency", "currency.unknown", currency);
        }

        if (change.PerUsd is null)
        {
            rules.Add("perUsd", "required");
        }
        else if (change.PerUsd <= 0)
        {
            rules.Add("perUsd", "customs.rate_not_positive");
        }

        var asOf = Dates.Parse(rules, "asOf", change.AsOf) ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await tx.QuerySingleOrDefaultAsync<decimal?>("SELECT per_usd FROM customs_exchange_rates WHERE currency = @code", new { code }, cancellationToken);
        var view = await tx.QuerySingleAsync<RateView>(
            """
            INSERT INTO customs_exchange_rates (currency, per_usd, as_of, updated_by, updated_at) VALUES (@code, @rate, @asOf, @user, @now)
            ON CONFLICT (currency) DO UPDATE SET per_usd = excluded.per_usd, as_of = excluded.as_of, updated_by = excluded.updated_by, updated_at = excluded.updated_at
            RETURNING currency, per_usd, as_of, updated_at
            """,
            new { code, rate = change.PerUsd, asOf, user = tx.Caller.UserId, now = clock.GetUtcNow() },
            cancellationToken);
        await tx.AuditAsync("customs.rate.set", "customs_exchange_rate", code, before: new { perUsd = before }, after: new { perUsd = change.PerUsd, asOf }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view with { Currency = view.Currency.Trim() };
    }
}

public sealed record PresetPeriodView(string Timer, string Mode, int Length, string Unit, string? Note);

public sealed record PresetView(
    string Code,
    string NameEn,
    string NameZh,
    string LegalBasis,
    IReadOnlyList<string> Countries,
    IReadOnlyList<string> Modes,
    string NoticeFrom,
    bool DeemedConsent,
    string SilenceOutcome,
    decimal? SmallMaxUnits,
    decimal? SmallMaxKg,
    bool DonationAllowed,
    bool ApplicationSecurity,
    IReadOnlyList<PresetPeriodView> Periods);

public sealed record PeriodChange(string? Mode, int? Length, string? Unit, string? Note);

/// <summary>
/// The jurisdictions' border-measure procedures, as data: each preset's modes, consent rules and periods are
/// rows that the platform administrator changes (a new regulation, a corrected period); the state machine in
/// Core reads them and has no jurisdiction in its code.
/// </summary>
public sealed class PresetStore(Db db)
{
    public async Task<IReadOnlyList<PresetView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var presets = await tx.QueryAsync<PresetRow>("SELECT * FROM customs_presets ORDER BY code", cancellationToken: cancellationToken);
        var periods = (await tx.QueryAsync<PeriodRow>("SELECT * FROM customs_preset_periods ORDER BY preset_code, timer, mode", cancellationToken: cancellationToken)).ToList();
        await tx.CommitAsync(cancellationToken);
        return presets.Select(p => new PresetView(
                p.Code, p.NameEn, p.NameZh, p.LegalBasis, p.Countries, p.Modes, p.NoticeFrom, p.DeemedConsent, p.SilenceOutcome, p.SmallMaxUnits, p.SmallMaxKg,
                p.DonationAllowed, p.ApplicationSecurity, periods.Where(x => x.PresetCode == p.Code).Select(x => new PresetPeriodView(x.Timer, x.Mode, x.Length, x.Unit, x.Note)).ToList()))
            .ToList();
    }

    /// <summary>The preset as Core's rules read it.</summary>
    public static async Task<DetentionPreset> LoadAsync(DbTx tx, string code, CancellationToken cancellationToken)
    {
        var preset = await tx.QuerySingleOrDefaultAsync<PresetRow>("SELECT * FROM customs_presets WHERE code = @code", new { code }, cancellationToken)
            ?? throw new RecordNotFoundException("customs_preset", code);
        var periods = await tx.QueryAsync<PeriodRow>("SELECT * FROM customs_preset_periods WHERE preset_code = @code", new { code }, cancellationToken);
        return new DetentionPreset(
            preset.Code,
            preset.Modes.Select(DetentionRules.Parse<DetentionMode>).ToList(),
            DetentionRules.Parse<NoticeFrom>(preset.NoticeFrom),
            preset.DeemedConsent,
            DetentionRules.Parse<DetentionState>(preset.SilenceOutcome),
            preset.SmallMaxUnits,
            preset.SmallMaxKg,
            preset.DonationAllowed,
            periods.Select(p => new PresetPeriod(
                    DetentionRules.Parse<DetentionTimer>(p.Timer),
                    p.Mode == "any" ? null : DetentionRules.Parse<DetentionMode>(p.Mode),
                    new Period(p.Length, DetentionRules.Parse<PeriodUnit>(p.Unit))))
                .ToList());
    }

    /// <summary>The preset that applies to customs organisations in <paramref name="country"/>, if any.</summary>
    public static Task<string?> ForCountryAsync(DbTx tx, string country, CancellationToken cancellationToken) =>
        tx.QuerySingleOrDefaultAsync<string>("SELECT code FROM customs_presets WHERE @country = ANY (countries) ORDER BY code LIMIT 1", new { country }, cancellationToken);

    public async Task<PresetView> SetPeriodAsync(string code, string timer, PeriodChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (!DetentionRules.TryParse<DetentionTimer>(timer, out _))
        {
            rules.Add("timer", "invalid_value");
        }

        var mode = change.Mode ?? "any";
        if (mode != "any" && !DetentionRules.TryParse<DetentionMode>(mode, out _))
        {
            rules.Add("mode", "invalid_value");
        }

        if (change.Length is null)
        {
            rules.Add("length", "required");
        }
        else if (change.Length is < 0 or > 3650)
        {
            rules.Add("length", "out_of_range", 0, 3650);
        }

        var unit = change.Unit ?? "working_days";
        if (!DetentionRules.TryParse<PeriodUnit>(unit, out _))
        {
            rules.Add("unit", "invalid_value");
        }

        var note = rules.Optional("note", change.Note, 500);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM customs_presets WHERE code = @code)", new { code }, cancellationToken))
        {
            throw new RecordNotFoundException("customs_preset", code);
        }

        var before = await tx.QuerySingleOrDefaultAsync<PeriodRow>(
            "SELECT * FROM customs_preset_periods WHERE preset_code = @code AND timer = @timer AND mode = @mode", new { code, timer, mode }, cancellationToken);
        await tx.ExecuteAsync(
            """
            INSERT INTO customs_preset_periods (preset_code, timer, mode, length, unit, note) VALUES (@code, @timer, @mode, @length, @unit, @note)
            ON CONFLICT (preset_code, timer, mode) DO UPDATE SET length = excluded.length, unit = excluded.unit, note = coalesce(excluded.note, customs_preset_periods.note)
            """,
            new { code, timer, mode, length = change.Length, unit, note },
            cancellationToken);
        await tx.ExecuteAsync("UPDATE customs_presets SET updated_at = now() WHERE code = @code", new { code }, cancellationToken);
        await tx.AuditAsync("customs.preset.set_period", "customs_preset", code, before: before, after: new { timer, mode, change.Length, unit, note }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (await ListAsync(cancellationToken)).Single(p => p.Code == code);
    }

    private sealed record PresetRow(
        string Code, string NameEn, string NameZh, string LegalBasis, string[] Countries, string[] Modes, string NoticeFrom, bool DeemedConsent,
        string SilenceOutcome, decimal? SmallMaxUnits, decimal? SmallMaxKg, bool DonationAllowed, DateTimeOffset UpdatedAt, bool ApplicationSecurity);

    private sealed record PeriodRow(string PresetCode, string Timer, string Mode, int Length, string Unit, string? Note);
}

/// <summary>Amounts as pages show them: two decimals, the currency after (culture-neutral digits).</summary>
internal static class MoneyText
{
    public static string Format(decimal amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{amount:#,0.00} {currency}");
}
