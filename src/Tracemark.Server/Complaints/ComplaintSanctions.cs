using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

public sealed record AccuracyView(
    OrganisationRef Complainant,
    OrganisationRef Platform,
    DateTimeOffset Since,
    AccuracyCounts Counts,
    decimal? UpheldShare,
    decimal? CounterSuccessShare,
    AccuracyThresholds Standard,
    bool FastTrackGranted,
    bool FastTrackEligible,
    IReadOnlyList<FastTrackBar> Bars);

public sealed record FastTrackView(OrganisationRef Platform, OrganisationRef Complainant, DateTimeOffset GrantedAt, DateTimeOffset? RevokedAt);

public sealed record RecommendationView(Guid Id, string SellerId, int Strikes, int WindowDays, Guid NoticeId, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt);

/// <summary>A seller of the platform's listings with its strikes: standing (within the window, not voided) and all.</summary>
public sealed record SellerStrikesView(string SellerId, int StandingStrikes, int AllStrikes, DateTimeOffset LastStruckAt, RecommendationView? Recommendation);

/// <summary>
/// The sanctions side of complaints: sellers' strikes and suspension recommendations (the platform's),
/// complainants' accuracy and the fast track it earns (each side sees its own record).
/// </summary>
public sealed class ComplaintSanctions(Db db, TimeProvider clock, NotificationOutbox outbox)
{
    /// <summary>
    /// The counts behind a complainant's accuracy with a platform, asked by one of the two (see migration 0044:
    /// counted without paying for the read policy on each of the complainant's notices).
    /// </summary>
    internal static Task<AccuracyCounts> CountsAsync(DbTx tx, Guid complainant, Guid platform, DateTimeOffset since, CancellationToken cancellationToken) =>
        tx.QuerySingleAsync<AccuracyCounts>(
            "SELECT decided, upheld, counter_notices, counter_succeeded, wrongful, malicious FROM tm_complaint_accuracy(@complainant, @platform, @since)",
            new { complainant, platform, since },
            cancellationToken);

    /// <summary>
    /// A complainant's accuracy with a platform over the platform's window: a platform asks about a complainant
    /// (<paramref name="complainantId"/>), a complainant about itself with a platform (<paramref name="platformId"/>).
    /// </summary>
    public async Task<AccuracyView> AccuracyAsync(string? complainantId, string? platformId, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var complainantArg = QueryValues.Id(rules, "complainantId", complainantId);
        var platformArg = QueryValues.Id(rules, "platformId", platformId);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var caller = tx.Caller.OrganisationId!.Value;
        var (complainant, platform) = tx.Caller.OrganisationKind == OrganisationKind.Platform
            ? (complainantArg ?? throw new InputValidationException("complainantId", "required"), caller)
            : (caller, platformArg ?? throw new InputValidationException("platformId", "required"));
        var settings = await ComplaintRulesStore.FindPlatformAsync(tx, platform, cancellationToken) ?? throw new RecordNotFoundException("complaint_platform", platform.ToString());
        var complainantRef = await tx.QuerySingleOrDefaultAsync<OrganisationRef>("SELECT id, name_en, name_zh, kind FROM organisations WHERE id = @complainant", new { complainant }, cancellationToken)
            ?? throw new RecordNotFoundException("organisation", complainant.ToString());
        var since = clock.GetUtcNow().AddDays(-settings.AccuracyWindowDays);
        var counts = await CountsAsync(tx, complainant, platform, since, cancellationToken);
        var verdict = Accuracy.Evaluate(counts, settings.Accuracy);
        var granted = await tx.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM complaint_fast_track WHERE platform_org_id = @platform AND complainant_org_id = @complainant AND revoked_at IS NULL)",
            new { platform, complainant },
            cancellationToken);
        await tx.AuditAsync("complaint.accuracy_read", "organisation", complainant.ToString(), complainant, detail: new { platform }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new AccuracyView(complainantRef, settings.Organisation, since, counts, verdict.UpheldShare, verdict.CounterSuccessShare, settings.Accuracy, granted, granted && verdict.Eligible, verdict.Bars);
    }

    public async Task<IReadOnlyList<FastTrackView>> FastTrackAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<FastTrackRow>(
            """
            SELECT f.platform_org_id, p.name_en AS platform_name_en, p.name_zh AS platform_name_zh, p.kind AS platform_kind,
                   f.complainant_org_id, c.name_en AS complainant_name_en, c.name_zh AS complainant_name_zh, c.kind AS complainant_kind, f.granted_at, f.revoked_at
            FROM complaint_fast_track f JOIN organisations p ON p.id = f.platform_org_id JOIN organisations c ON c.id = f.complainant_org_id
            ORDER BY f.granted_at DESC
            """,
            cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => r.ToView()).ToList();
    }

    /// <summary>The platform puts a complainant on its fast track (it keeps it while its record meets the platform's standard).</summary>
    public async Task<FastTrackView> GrantFastTrackAsync(Guid complainant, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var platform = RequirePlatform(tx);
        var kind = await tx.ExecuteScalarAsync<string?>("SELECT kind FROM organisations WHERE id = @complainant AND is_active", new { complainant }, cancellationToken);
        if (kind is not ("rights_holder" or "agent"))
        {
            throw new InputValidationException("complainantId", "complaint.not_a_complainant");
        }

        var now = clock.GetUtcNow();
        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_fast_track (platform_org_id, complainant_org_id, granted_at, granted_by) VALUES (@platform, @complainant, @now, @user)
            ON CONFLICT (platform_org_id, complainant_org_id) DO UPDATE SET granted_at = @now, granted_by = @user, revoked_at = NULL
            """,
            new { platform, complainant, now, user = tx.Caller.UserId },
            cancellationToken);
        await tx.AuditAsync("complaint.fast_track_grant", "organisation", complainant.ToString(), complainant, detail: new { platform }, cancellationToken: cancellationToken);
        await outbox.AddAsync(tx, new NewNotification("complaint.fast_track_granted", complainant, new { link = "/complaints/accuracy" }, "complaint_platform", platform.ToString()), cancellationToken);
        var view = (await tx.QueryAsync<FastTrackRow>(
            """
            SELECT f.platform_org_id, p.name_en AS platform_name_en, p.name_zh AS platform_name_zh, p.kind AS platform_kind,
                   f.complainant_org_id, c.name_en AS complainant_name_en, c.name_zh AS complainant_name_zh, c.kind AS complainant_kind, f.granted_at, f.revoked_at
            FROM complaint_fast_track f JOIN organisations p ON p.id = f.platform_org_id JOIN organisations c ON c.id = f.complainant_org_id
            WHERE f.platform_org_id = @platform AND f.complainant_org_id = @complainant
            """,
            new { platform, complainant },
            cancellationToken)).Single().ToView();
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    public async Task RevokeFastTrackAsync(Guid complainant, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var platform = RequirePlatform(tx);
        var revoked = await tx.ExecuteAsync(
            "UPDATE complaint_fast_track SET revoked_at = @now WHERE platform_org_id = @platform AND complainant_org_id = @complainant AND revoked_at IS NULL",
            new { platform, complainant, now = clock.GetUtcNow() },
            cancellationToken);
        if (revoked == 0)
        {
            throw new RecordNotFoundException("complaint_fast_track", complainant.ToString());
        }

        await tx.AuditAsync("complaint.fast_track_revoke", "organisation", complainant.ToString(), complainant, detail: new { platform }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The platform's sellers with strikes, most standing strikes first, with any open suspension recommendation.</summary>
    public async Task<IReadOnlyList<SellerStrikesView>> SellersAsync(string? q, string? limit, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", limit));
        var seller = rules.Optional("q", q, 200);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var platform = RequirePlatform(tx);
        var settings = await ComplaintRulesStore.FindPlatformAsync(tx, platform, cancellationToken);
        var since = settings is null ? clock.GetUtcNow() : settings.Strikes.WindowStart(clock.GetUtcNow());
        var rows = await tx.QueryAsync<SellerRow>(
            """
            SELECT s.seller_id, count(*) FILTER (WHERE s.voided_at IS NULL AND s.struck_at >= @since)::int AS standing_strikes, count(*)::int AS all_strikes,
                   max(s.struck_at) AS last_struck_at, r.id AS recommendation_id, r.strikes AS recommended_strikes, r.window_days, r.notice_id, r.created_at, r.resolved_at
            FROM complaint_strikes s
            LEFT JOIN complaint_recommendations r ON r.platform_org_id = s.platform_org_id AND r.seller_id = s.seller_id AND r.resolved_at IS NULL
            WHERE s.platform_org_id = @platform AND (@seller::text IS NULL OR s.seller_id = @seller)
            GROUP BY s.seller_id, r.id
            ORDER BY standing_strikes DESC, last_struck_at DESC
            LIMIT @take
            """,
            new { platform, since, seller, take },
            cancellationToken);
        await tx.AuditAsync("complaint.sellers_read", "complaint_strikes", null, platform, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => r.ToView()).ToList();
    }

    /// <summary>The platform records that it acted on a recommendation (suspended the seller or decided not to); a later one may follow.</summary>
    public async Task<RecommendationView> ResolveRecommendationAsync(Guid id, ReasonsInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var note = NoticeRules.Reasons(rules, "reasons", input.Reasons);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        RequirePlatform(tx);
        var view = await tx.QuerySingleOrDefaultAsync<RecommendationView>(
            """
            UPDATE complaint_recommendations SET resolved_at = @now WHERE id = @id AND resolved_at IS NULL
            RETURNING id, seller_id, strikes, window_days, notice_id, created_at, resolved_at
            """,
            new { id, now = clock.GetUtcNow() },
            cancellationToken) ?? throw new RecordNotFoundException("complaint_recommendation", id.ToString());
        await tx.AuditAsync("complaint.resolve_recommendation", "complaint_recommendation", id.ToString(), tx.Caller.OrganisationId, after: view, detail: new { note }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    private static Guid RequirePlatform(DbTx tx) =>
        tx.Caller.OrganisationKind == OrganisationKind.Platform && tx.Caller.OrganisationId is { } platform
            ? platform
            : throw new AccessDeniedException("complaint.platforms_only", "Only platforms keep strikes and fast tracks.");

    private sealed record FastTrackRow(
        Guid PlatformOrgId, string PlatformNameEn, string PlatformNameZh, string PlatformKind,
        Guid ComplainantOrgId, string ComplainantNameEn, string ComplainantNameZh, string ComplainantKind, DateTimeOffset GrantedAt, DateTimeOffset? RevokedAt)
    {
        public FastTrackView ToView() => new(
            new OrganisationRef(PlatformOrgId, PlatformNameEn, PlatformNameZh, PlatformKind),
            new OrganisationRef(ComplainantOrgId, ComplainantNameEn, ComplainantNameZh, ComplainantKind),
            GrantedAt,
            RevokedAt);
    }

    private sealed record SellerRow(
        string SellerId, int StandingStrikes, int AllStrikes, DateTimeOffset LastStruckAt, Guid? RecommendationId, int? RecommendedStrikes, int? WindowDays,
        Guid? NoticeId, DateTimeOffset? CreatedAt, DateTimeOffset? ResolvedAt)
    {
        public SellerStrikesView ToView() => new(
            SellerId,
            StandingStrikes,
            AllStrikes,
            LastStruckAt,
            RecommendationId is { } id ? new RecommendationView(id, SellerId, RecommendedStrikes ?? 0, WindowDays ?? 0, NoticeId!.Value, CreatedAt!.Value, ResolvedAt) : null);
    }
}
