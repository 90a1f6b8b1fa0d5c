using System.Globalization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

public sealed record PeriodView(int Length, PeriodUnit Unit, bool ExtendToWorkingDay = false)
{
    public Period ToPeriod() => new(Length, Unit, ExtendToWorkingDay);
}

public sealed record PeriodInput(int? Length, string? Unit, bool? ExtendToWorkingDay);

public sealed record ServiceLevelView(InfringementKind Kind, PeriodView Review, PeriodView FastTrackReview);

public sealed record ServiceLevelInput(string? Kind, PeriodInput? Review, PeriodInput? FastTrackReview);

/// <summary>A jurisdiction's rules for notices (<see cref="JurisdictionPreset"/>) as the API shows them.</summary>
public sealed record JurisdictionView(
    string Code,
    string NameEn,
    string NameZh,
    string LawEn,
    string LawZh,
    string Calendar,
    PeriodView Restore,
    PeriodView? RestoreLatest,
    RestoreStart RestoreFrom,
    PeriodView ForwardSla,
    PeriodView AppealWindow,
    int SellerLinkDays,
    IReadOnlyList<ServiceLevelView> ServiceLevels,
    string GoodFaithEn,
    string GoodFaithZh,
    string CounterStatementEn,
    string CounterStatementZh,
    int Version,
    DateTimeOffset UpdatedAt)
{
    public JurisdictionPreset ToPreset() => new(
        Code,
        Calendar,
        Restore.ToPeriod(),
        RestoreLatest?.ToPeriod(),
        RestoreFrom,
        ForwardSla.ToPeriod(),
        AppealWindow.ToPeriod(),
        SellerLinkDays,
        ServiceLevels.ToDictionary(l => l.Kind, l => new ServiceLevel(l.Review.ToPeriod(), l.FastTrackReview.ToPeriod())));

    public string GoodFaith(bool chinese) => chinese ? GoodFaithZh : GoodFaithEn;

    public string CounterStatement(bool chinese) => chinese ? CounterStatementZh : CounterStatementEn;
}

/// <summary>
/// A partial change of a jurisdiction's rules: members left out stay. <see cref="RestoreLatest"/> is counted in
/// the restore period's unit; <see cref="ClearRestoreLatest"/> removes the window.
/// </summary>
public sealed record JurisdictionChange(
    string? Calendar,
    PeriodInput? Restore,
    PeriodInput? RestoreLatest,
    bool? ClearRestoreLatest,
    string? RestoreFrom,
    PeriodInput? ForwardSla,
    PeriodInput? AppealWindow,
    int? SellerLinkDays,
    IReadOnlyList<ServiceLevelInput>? ServiceLevels);

public sealed record PlatformView(
    OrganisationRef Organisation,
    string Jurisdiction,
    IReadOnlyList<string> Domains,
    bool Accepting,
    int StrikeLimit,
    int StrikeWindowDays,
    int AccuracyWindowDays,
    decimal MinUpheldShare,
    decimal MaxCounterSuccessShare,
    int AccuracyMinDecided,
    int Version,
    DateTimeOffset UpdatedAt)
{
    public StrikePolicy Strikes => new(StrikeLimit, StrikeWindowDays);

    public AccuracyThresholds Accuracy => new(MinUpheldShare, MaxCounterSuccessShare, AccuracyMinDecided, AccuracyWindowDays);
}

public sealed record PlatformChange(
    string? Jurisdiction,
    IReadOnlyList<string>? Domains,
    bool? Accepting,
    int? StrikeLimit,
    int? StrikeWindowDays,
    int? AccuracyWindowDays,
    decimal? MinUpheldShare,
    decimal? MaxCounterSuccessShare,
    int? AccuracyMinDecided);

/// <summary>The jurisdictions' rules in memory, one copy per server; reloaded after a change made here, and at most a minute after one made on another server.</summary>
public sealed class JurisdictionCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private Dictionary<string, JurisdictionView>? _rules;
    private DateTimeOffset _loadedAt;
    private long _generation;

    public bool TryGet(DateTimeOffset now, out Dictionary<string, JurisdictionView> rules, out long generation)
    {
        lock (_gate)
        {
            generation = _generation;
            rules = _rules!;
            return _rules is not null && now - _loadedAt < Lifetime;
        }
    }

    public void Store(Dictionary<string, JurisdictionView> rules, long generation, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (generation == _generation)
            {
                _rules = rules;
                _loadedAt = now;
            }
        }
    }

    public void Invalidate()
    {
        lock (_gate)
        {
            _rules = null;
            _generation++;
        }
    }
}

/// <summary>
/// The data that rules notices: each jurisdiction's periods and statements (the platform administrator's),
/// and each platform's domains and policies (the platform's own administrators').
/// </summary>
public sealed class ComplaintRulesStore(Db db, JurisdictionCache cache, TimeProvider clock)
{
    private const string PlatformSelect = """
        SELECT p.organisation_id, o.name_en, o.name_zh, o.kind, p.jurisdiction, p.domains, p.accepting, p.strike_limit, p.strike_window_days,
               p.accuracy_window_days, p.min_upheld_share, p.max_counter_success_share, p.accuracy_min_decided, p.version, p.updated_at
        FROM complaint_platforms p JOIN organisations o ON o.id = p.organisation_id
        """;

    public async Task<IReadOnlyDictionary<string, JurisdictionView>> JurisdictionsAsync(CancellationToken cancellationToken)
    {
        if (cache.TryGet(clock.GetUtcNow(), out var cached, out var generation))
        {
            return cached;
        }

        Dictionary<string, JurisdictionView> loaded;
        await using (var tx = await db.BeginSystemAsync(cancellationToken))
        {
            loaded = await LoadAsync(tx, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        cache.Store(loaded, generation, clock.GetUtcNow());
        return loaded;
    }

    public async Task<JurisdictionView?> JurisdictionAsync(string code, CancellationToken cancellationToken) =>
        (await JurisdictionsAsync(cancellationToken)).GetValueOrDefault(code.ToUpperInvariant());

    public async Task<IReadOnlyList<JurisdictionView>> ListJurisdictionsAsync(CancellationToken cancellationToken) =>
        (await JurisdictionsAsync(cancellationToken)).Values.OrderBy(j => j.Code, StringComparer.Ordinal).ToList();

    public async Task<JurisdictionView> GetJurisdictionAsync(string code, CancellationToken cancellationToken) =>
        await JurisdictionAsync(code, cancellationToken) ?? throw new RecordNotFoundException("complaint_jurisdiction", code);

    /// <summary>Changes a jurisdiction's periods (platform administrator); notices already running keep the deadlines they were given.</summary>
    public async Task<JurisdictionView> ChangeJurisdictionAsync(string code, JurisdictionChange change, CancellationToken cancellationToken)
    {
        var before = await GetJurisdictionAsync(code, cancellationToken);
        var rules = new FieldRules();
        var restore = Period(rules, "restore", change.Restore) ?? before.Restore;
        var latest = change.ClearRestoreLatest == true ? null : Period(rules, "restoreLatest", change.RestoreLatest) ?? before.RestoreLatest;
        if (latest is not null && (latest.Unit != restore.Unit || latest.Length < restore.Length))
        {
            rules.Add("restoreLatest", "complaint.restore_latest_before_restore");
        }

        var from = before.RestoreFrom;
        if (change.RestoreFrom is not null && !ComplaintWire.TryParse(change.RestoreFrom, out from))
        {
            rules.Add("restoreFrom", "invalid_value");
        }

        var forward = Period(rules, "forwardSla", change.ForwardSla) ?? before.ForwardSla;
        var appeal = Period(rules, "appealWindow", change.AppealWindow) ?? before.AppealWindow;
        var linkDays = change.SellerLinkDays ?? before.SellerLinkDays;
        if (linkDays is < 1 or > 3650)
        {
            rules.Add("sellerLinkDays", "out_of_range", 1, 3650);
        }

        var levels = before.ServiceLevels.ToDictionary(l => l.Kind);
        for (var i = 0; i < (change.ServiceLevels?.Count ?? 0); i++)
        {
            var input = change.ServiceLevels![i];
            var prefix = string.Create(CultureInfo.InvariantCulture, $"serviceLevels[{i}].");
            if (!ComplaintWire.TryParse<InfringementKind>(input.Kind, out var kind))
            {
                rules.Add(prefix + "kind", input.Kind is null ? "required" : "invalid_value");
                continue;
            }

            var old = levels[kind];
            levels[kind] = new ServiceLevelView(kind, Period(rules, prefix + "review", input.Review) ?? old.Review, Period(rules, prefix + "fastTrackReview", input.FastTrackReview) ?? old.FastTrackReview);
        }

        var calendar = change.Calendar?.Trim().ToUpperInvariant() ?? before.Calendar;
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM calendars WHERE code = @calendar)", new { calendar }, cancellationToken))
        {
            throw new InputValidationException("calendar", "complaint.calendar_unknown", calendar);
        }

        await tx.ExecuteAsync(
            """
            UPDATE complaint_jurisdictions SET calendar_code = @calendar, restore_length = @restoreLength, restore_unit = @restoreUnit,
                restore_extend = @restoreExtend, restore_latest_length = @latestLength, restore_from = @from, forward_length = @forwardLength,
                forward_unit = @forwardUnit, appeal_length = @appealLength, appeal_unit = @appealUnit, seller_link_days = @linkDays,
                version = version + 1, updated_at = @now
            WHERE code = @code
            """,
            new
            {
                code = before.Code,
                calendar,
                restoreLength = restore.Length,
                restoreUnit = ComplaintWire.ToWire(restore.Unit),
                restoreExtend = restore.ExtendToWorkingDay,
                latestLength = latest?.Length,
                from = ComplaintWire.ToWire(from),
                forwardLength = forward.Length,
                forwardUnit = ComplaintWire.ToWire(forward.Unit),
                appealLength = appeal.Length,
                appealUnit = ComplaintWire.ToWire(appeal.Unit),
                linkDays,
                now = clock.GetUtcNow(),
            },
            cancellationToken);
        foreach (var level in levels.Values)
        {
            await tx.ExecuteAsync(
                """
                UPDATE complaint_service_levels SET review_length = @reviewLength, review_unit = @reviewUnit, fast_track_length = @fastLength, fast_track_unit = @fastUnit
                WHERE jurisdiction = @code AND kind = @kind
                """,
                new
                {
                    code = before.Code,
                    kind = ComplaintWire.ToWire(level.Kind),
                    reviewLength = level.Review.Length,
                    reviewUnit = ComplaintWire.ToWire(level.Review.Unit),
                    fastLength = level.FastTrackReview.Length,
                    fastUnit = ComplaintWire.ToWire(level.FastTrackReview.Unit),
                },
                cancellationToken);
        }

        var after = (await LoadAsync(tx, cancellationToken))[before.Code];
        await tx.AuditAsync("complaint_jurisdiction.change", "complaint_jurisdiction", before.Code, null, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        cache.Invalidate();
        return after;
    }

    public async Task<IReadOnlyList<PlatformView>> ListPlatformsAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<PlatformRow>(PlatformSelect + " ORDER BY o.name_en", cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => r.ToView()).ToList();
    }

    /// <summary>A platform's settings in a transaction; null when the organisation does not take notices through Tracemark.</summary>
    public static async Task<PlatformView?> FindPlatformAsync(DbTx tx, Guid organisationId, CancellationToken cancellationToken) =>
        (await tx.QuerySingleOrDefaultAsync<PlatformRow>(PlatformSelect + " WHERE p.organisation_id = @organisationId", new { organisationId }, cancellationToken))?.ToView();

    public async Task<PlatformView> GetPlatformAsync(Guid organisationId, CancellationToken cancellationToken) =>
        await FindPlatformAsync(organisationId, cancellationToken) ?? throw new RecordNotFoundException("complaint_platform", organisationId.ToString());

    /// <summary>A platform's settings, or null when the organisation does not take notices through Tracemark.</summary>
    public async Task<PlatformView?> FindPlatformAsync(Guid organisationId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var platform = await FindPlatformAsync(tx, organisationId, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return platform;
    }

    /// <summary>Registers a platform or changes its settings: its own administrators, or the platform administrator.</summary>
    public async Task<PlatformView> SetPlatformAsync(Guid organisationId, PlatformChange change, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var caller = tx.Caller;
        var ownAdmin = caller.OrganisationId == organisationId && caller.IsOrgAdmin && caller.OrganisationKind == OrganisationKind.Platform;
        if (!ownAdmin && !(caller.IsPlatformAdmin && caller.ApiKeyId is null))
        {
            throw new AccessDeniedException("complaint.platform_admin_only", "Only the platform's own administrators (or the platform administrator) set its complaint settings.");
        }

        var kind = await tx.ExecuteScalarAsync<string?>("SELECT kind FROM organisations WHERE id = @organisationId AND is_active", new { organisationId }, cancellationToken);
        if (kind != OrganisationKinds.ToWire(OrganisationKind.Platform))
        {
            throw new RecordNotFoundException("complaint_platform", organisationId.ToString());
        }

        var before = await FindPlatformAsync(tx, organisationId, cancellationToken);
        var rules = new FieldRules();
        var jurisdiction = change.Jurisdiction?.Trim().ToUpperInvariant() ?? before?.Jurisdiction;
        if (jurisdiction is null)
        {
            rules.Add("jurisdiction", "required");
        }
        else if (await JurisdictionAsync(jurisdiction, cancellationToken) is null)
        {
            rules.Add("jurisdiction", "complaint.jurisdiction_unknown", jurisdiction);
        }

        string[]? domains = null;
        if (change.Domains is not null)
        {
            if (change.Domains.Count > 50)
            {
                rules.Add("domains", "too_many", 50);
            }

            var list = new List<string>();
            for (var i = 0; i < change.Domains.Count; i++)
            {
                if (NoticeRules.Domain(change.Domains[i]) is { } domain)
                {
                    list.Add(domain);
                }
                else
                {
                    rules.Add(string.Create(CultureInfo.InvariantCulture, $"domains[{i}]"), "complaint.domain_invalid", change.Domains[i] ?? "");
                }
            }

            domains = list.Distinct(StringComparer.Ordinal).ToArray();
        }

        Range(rules, "strikeLimit", change.StrikeLimit, 1, StrikePolicy.MaxLimit);
        Range(rules, "strikeWindowDays", change.StrikeWindowDays, 1, StrikePolicy.MaxWindowDays);
        Range(rules, "accuracyWindowDays", change.AccuracyWindowDays, 1, 3650);
        Range(rules, "accuracyMinDecided", change.AccuracyMinDecided, 1, 100_000);
        Share(rules, "minUpheldShare", change.MinUpheldShare);
        Share(rules, "maxCounterSuccessShare", change.MaxCounterSuccessShare);
        rules.ThrowIfAny();

        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_platforms (organisation_id, jurisdiction, domains, accepting, strike_limit, strike_window_days, accuracy_window_days,
                                             min_upheld_share, max_counter_success_share, accuracy_min_decided, updated_at)
            VALUES (@organisationId, @jurisdiction, coalesce(@domains::text[], '{}'), coalesce(@Accepting, true), coalesce(@StrikeLimit, 3), coalesce(@StrikeWindowDays, 180),
                    coalesce(@AccuracyWindowDays, 90), coalesce(@MinUpheldShare, 0.90), coalesce(@MaxCounterSuccessShare, 0.05), coalesce(@AccuracyMinDecided, 10), @now)
            ON CONFLICT (organisation_id) DO UPDATE SET jurisdiction = excluded.jurisdiction, domains = coalesce(@domains::text[], complaint_platforms.domains),
                accepting = coalesce(@Accepting, complaint_platforms.accepting), strike_limit = coalesce(@StrikeLimit, complaint_platforms.strike_limit),
                strike_window_days = coalesce(@StrikeWindowDays, complaint_platforms.strike_window_days),
                accuracy_window_days = coalesce(@AccuracyWindowDays, complaint_platforms.accuracy_window_days),
                min_upheld_share = coalesce(@MinUpheldShare, complaint_platforms.min_upheld_share),
                max_counter_success_share = coalesce(@MaxCounterSuccessShare, complaint_platforms.max_counter_success_share),
                accuracy_min_decided = coalesce(@AccuracyMinDecided, complaint_platforms.accuracy_min_decided),
                version = complaint_platforms.version + 1, updated_at = @now
            """,
            new
            {
                organisationId,
                jurisdiction,
                domains,
                change.Accepting,
                change.StrikeLimit,
                change.StrikeWindowDays,
                change.AccuracyWindowDays,
                change.MinUpheldShare,
                change.MaxCounterSuccessShare,
                change.AccuracyMinDecided,
                now = clock.GetUtcNow(),
            },
            cancellationToken);
        var after = await FindPlatformAsync(tx, organisationId, cancellationToken) ?? throw new InvalidOperationException("A platform just written is not visible.");
        await tx.AuditAsync(before is null ? "complaint_platform.register" : "complaint_platform.change", "complaint_platform", organisationId.ToString(), organisationId, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    private static PeriodView? Period(FieldRules rules, string field, PeriodInput? input)
    {
        if (input is null)
        {
            return null;
        }

        if (input.Length is null)
        {
            rules.Add(field + ".length", "required");
        }
        else if (input.Length is < 0 or > 3650)
        {
            rules.Add(field + ".length", "out_of_range", 0, 3650);
        }

        if (!ComplaintWire.TryParse<PeriodUnit>(input.Unit, out var unit))
        {
            rules.Add(field + ".unit", input.Unit is null ? "required" : "complaint.period_unit_unknown", input.Unit ?? "", string.Join(", ", ComplaintWire.All<PeriodUnit>()));
        }

        return new PeriodView(input.Length ?? 0, unit, input.ExtendToWorkingDay ?? false);
    }

    private static void Range(FieldRules rules, string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            rules.Add(field, "out_of_range", min, max);
        }
    }

    private static void Share(FieldRules rules, string field, decimal? value)
    {
        if (value is { } v && (v < 0 || v > 1))
        {
            rules.Add(field, "out_of_range", 0, 1);
        }
    }

    private static async Task<Dictionary<string, JurisdictionView>> LoadAsync(DbTx tx, CancellationToken cancellationToken)
    {
        var jurisdictions = await tx.QueryAsync<JurisdictionRow>("SELECT * FROM complaint_jurisdictions", cancellationToken: cancellationToken);
        var levels = (await tx.QueryAsync<LevelRow>("SELECT * FROM complaint_service_levels", cancellationToken: cancellationToken)).ToList();
        return jurisdictions.ToDictionary(
            j => j.Code,
            j =>
            {
                var restore = new PeriodView(j.RestoreLength, ComplaintWire.Parse<PeriodUnit>(j.RestoreUnit), j.RestoreExtend);
                return new JurisdictionView(
                    j.Code,
                    j.NameEn,
                    j.NameZh,
                    j.LawEn,
                    j.LawZh,
                    j.CalendarCode,
                    restore,
                    j.RestoreLatestLength is { } latest ? restore with { Length = latest } : null,
                    ComplaintWire.Parse<RestoreStart>(j.RestoreFrom),
                    new PeriodView(j.ForwardLength, ComplaintWire.Parse<PeriodUnit>(j.ForwardUnit)),
                    new PeriodView(j.AppealLength, ComplaintWire.Parse<PeriodUnit>(j.AppealUnit)),
                    j.SellerLinkDays,
                    levels.Where(l => l.Jurisdiction == j.Code)
                        .Select(l => new ServiceLevelView(
                            ComplaintWire.Parse<InfringementKind>(l.Kind),
                            new PeriodView(l.ReviewLength, ComplaintWire.Parse<PeriodUnit>(l.ReviewUnit)),
                            new PeriodView(l.FastTrackLength, ComplaintWire.Parse<PeriodUnit>(l.FastTrackUnit))))
                        .OrderBy(l => l.Kind)
                        .ToList(),
                    j.GoodFaithEn,
                    j.GoodFaithZh,
                    j.CounterStatementEn,
                    j.CounterStatementZh,
                    j.Version,
                    j.UpdatedAt);
            },
            StringComparer.Ordinal);
    }

    private sealed class JurisdictionRow
    {
        public string Code { get; init; } = "";

        public string NameEn { get; init; } = "";

        public string NameZh { get; init; } = "";

        public string LawEn { get; init; } = "";

        public string LawZh { get; init; } = "";

        public string CalendarCode { get; init; } = "";

        public int RestoreLength { get; init; }

        public string RestoreUnit { get; init; } = "";

        public bool RestoreExtend { get; init; }

        public int? RestoreLatestLength { get; init; }

        public string RestoreFrom { get; init; } = "";

        public int ForwardLength { get; init; }

        public string ForwardUnit { get; init; } = "";

        public int AppealLength { get; init; }

        public string AppealUnit { get; init; } = "";

        public int SellerLinkDays { get; init; }

        public string GoodFaithEn { get; init; } = "";

        public string GoodFaithZh { get; init; } = "";

        public string CounterStatementEn { get; init; } = "";

        public string CounterStatementZh { get; init; } = "";

        public int Version { get; init; }

        public DateTimeOffset UpdatedAt { get; init; }
    }

    private sealed class LevelRow
    {
        public string Jurisdiction { get; init; } = "";

        public string Kind { get; init; } = "";

        public int ReviewLength { get; init; }

        public string ReviewUnit { get; init; } = "";

        public int FastTrackLength { get; init; }

        public string FastTrackUnit { get; init; } = "";
    }

    private sealed record PlatformRow(
        Guid OrganisationId, string NameEn, string NameZh, string Kind, string Jurisdiction, string[] Domains, bool Accepting, int StrikeLimit, int StrikeWindowDays,
        int AccuracyWindowDays, decimal MinUpheldShare, decimal MaxCounterSuccessShare, int AccuracyMinDecided, int Version, DateTimeOffset UpdatedAt)
    {
        public PlatformView ToView() => new(
            new OrganisationRef(OrganisationId, NameEn, NameZh, Kind), Jurisdiction, Domains, Accepting, StrikeLimit, StrikeWindowDays, AccuracyWindowDays,
            MinUpheldShare, MaxCounterSuccessShare, AccuracyMinDecided, Version, UpdatedAt);
    }
}
