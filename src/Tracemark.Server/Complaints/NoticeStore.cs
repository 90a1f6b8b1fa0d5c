using System.Globalization;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Core.Sharing;
using Tracemark.Matching;
using Tracemark.Server.Calendars;
using Tracemark.Server.Notifications;
using Tracemark.Server.Notifications.Webhooks;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Screening;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Complaints;

/// <summary>
/// Notices for the API, the pages and the seller's link alike. Who sees a notice is decided by row-level
/// security (its parties, and authorities through its distribution); what a party may do, by the transition
/// table of <see cref="NoticeWorkflow"/>; every deadline, by the jurisdiction's working-day calendar.
/// </summary>
public sealed partial class NoticeStore(
    Db db,
    TimeProvider clock,
    BlobStore blobs,
    NotificationOutbox outbox,
    WebhookOutbox webhooks,
    CalendarStore calendars,
    ComplaintRulesStore complaintRules,
    ScreeningService screening,
    IHttpContextAccessor http)
{
    internal static readonly JsonSerializerOptions Json = CreateJson();

    private const string Select = """
        SELECT n.*, c.name_en AS complainant_name_en, c.name_zh AS complainant_name_zh, c.kind AS complainant_kind,
               h.name_en AS holder_name_en, h.name_zh AS holder_name_zh, h.kind AS holder_kind,
               p.name_en AS platform_name_en, p.name_zh AS platform_name_zh, p.kind AS platform_kind,
               CASE WHEN n.platform_org_id = tm_org() THEN 'platform'
                    WHEN tm_complaint_party(n.complainant_org_id, n.holder_org_id, n.platform_org_id) THEN 'complainant'
                    ELSE 'observer' END AS role
        FROM complaint_notices n
        JOIN organisations c ON c.id = n.complainant_org_id
        JOIN organisations h ON h.id = n.holder_org_id
        JOIN organisations p ON p.id = n.platform_org_id
        """;

    /// <summary>Files a notice: checks the platform, the rights (held or authorised, in force, of a fitting type) and the files; screens the listings; links listings already under an open notice.</summary>
    public async Task<NoticeView> FileAsync(NewNotice input, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var view = await FileAsync(tx, input, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>
    /// The checks of where a notice goes, the same for a filing alone and in a batch: a platform named, known and
    /// accepting notices; the jurisdiction known (the platform's unless the notice names one); every listing's
    /// address on the platform. Answers the jurisdiction.
    /// </summary>
    private async Task<JurisdictionView?> CheckPlaceAsync(FieldRules rules, NewNotice input, NoticeContent content, PlatformView? platform, CancellationToken cancellationToken)
    {
        if (input.PlatformId is null)
        {
            rules.Add("platformId", "required");
        }
        else if (platform is not { Accepting: true })
        {
            rules.Add("platformId", "complaint.platform_unknown");
        }

        var code = input.Jurisdiction?.Trim().ToUpperInvariant() ?? platform?.Jurisdiction;
        var jurisdiction = code is null ? null : await complaintRules.JurisdictionAsync(code, cancellationToken);
        if (input.Jurisdiction is not null && jurisdiction is null)
        {
            rules.Add("jurisdiction", "complaint.jurisdiction_unknown", input.Jurisdiction);
        }

        if (platform is not null)
        {
            for (var i = 0; i < content.Listings.Count; i++)
            {
                var host = content.Listings[i].Host;
                if (host.Length > 0 && !NoticeRules.OnPlatform(host, platform.Domains))
                {
                    rules.Add(string.Create(CultureInfo.InvariantCulture, $"listings[{i}].url"), "complaint.url_not_on_platform", host, string.Join(", ", platform.Domains));
                }
            }
        }

        return jurisdiction;
    }

    /// <summary>Files one notice in <paramref name="tx"/>, as its caller; the caller of this commits.</summary>
    internal async Task<NoticeView> FileAsync(DbTx tx, NewNotice input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var content = NoticeRules.Validate(rules, input.Kind, input.RightIds, input.Listings, input.Description, input.Evidence, input.GoodFaith, input.Signature);

        if (tx.Caller.OrganisationKind is not (OrganisationKind.RightsHolder or OrganisationKind.Agent) || tx.Caller.OrganisationId is not { } complainant)
        {
            throw new AccessDeniedException("complaint.holders_only", "Only rights holders, and agents acting for them, file notices.");
        }

        var now = clock.GetUtcNow();
        var platform = input.PlatformId is { } platformId ? await ComplaintRulesStore.FindPlatformAsync(tx, platformId, cancellationToken) : null;
        var jurisdiction = await CheckPlaceAsync(rules, input, content, platform, cancellationToken);

        var rights = await CheckRightsAsync(tx, rules, input.RightIds ?? [], content.Kind, complainant, now, cancellationToken);
        await CheckFilesAsync(tx, rules, content, cancellationToken);
        var distribution = input.Distribution ?? Distribution.Organisation;
        await DistributionGuard.CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
        rules.ThrowIfAny();

        var preset = jurisdiction!.ToPreset();
        var fastTrack = await FastTrackAsync(tx, platform!, complainant, now, cancellationToken);
        var calendar = await calendars.GetAsync(preset.CalendarCode, cancellationToken);
        var review = ComplaintClock.ReviewDue(calendar, preset, content.Kind, fastTrack, now);
        var texts = content.Listings.Select(l => l.SnapshotText is null ? l.Title : l.Title + "\n" + l.SnapshotText).ToList();
        var hits = await screening.ScreenInAsync(tx, texts, ScreeningMode.Full, cancellationToken);

        var id = Guid.CreateVersion7();
        var holder = rights[0].OwnerOrgId;
        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_notices (id, complainant_org_id, holder_org_id, platform_org_id, jurisdiction, kind, state, description,
                good_faith_statement, signature, fast_track, distribution, sharing_group_id, review_due_at, deadlines_provisional, next_timer_at,
                created_by, created_at, updated_at)
            VALUES (@id, @complainant, @holder, @platform, @jurisdiction, @kind, 'submitted', @Description, @statement, @Signature, @fastTrack,
                @distribution, @group, @due, @provisional, @due, @user, @now, @now)
            """,
            new
            {
                id,
                complainant,
                holder,
                platform = platform!.Organisation.Id,
                jurisdiction = jurisdiction.Code,
                kind = ComplaintWire.ToWire(content.Kind),
                content.Description,
                statement = jurisdiction.GoodFaith(Chinese),
                content.Signature,
                fastTrack,
                distribution = distribution.ToWire(),
                group = distribution == Distribution.Group ? input.SharingGroupId : null,
                due = review.Due,
                provisional = review.Provisional,
                user = tx.Caller.UserId,
                now,
            },
            cancellationToken);

        var linkedTo = new List<Guid>();
        for (var i = 0; i < content.Listings.Count; i++)
        {
            var listing = content.Listings[i];
            var claim = await tx.QuerySingleAsync<ListingClaim>(
                "SELECT listing_id, holder_notice_id FROM tm_complaint_claim_listing(@id, @platform, @ListingKey, @now)",
                new { id, platform = platform.Organisation.Id, listing.ListingKey, now },
                cancellationToken);
            Guid? linked = claim.HolderNoticeId == id ? null : claim.HolderNoticeId;
            if (linked is { } other)
            {
                linkedTo.Add(other);
            }

            var snapshot = listing.SnapshotText is null ? null : await blobs.PutTextAsync(tx, listing.SnapshotText, cancellationToken);
            await tx.ExecuteAsync(
                """
                INSERT INTO complaint_notice_listings (notice_id, position, listing_id, listing_ref, url, seller_id, seller_name, title, price, currency,
                    snapshot_sha256, image_sha256s, hits, linked_notice_id)
                VALUES (@id, @position, @register, @ListingId, @Url, @SellerId, @SellerName, @Title, @Price, @Currency, @snapshot, @images, @hits::jsonb, @linked)
                """,
                new
                {
                    id,
                    position = i,

                    // Not "listingId": Dapper's names ignore case, and the platform's own listing id is ListingId.
                    register = claim.ListingId,
                    listing.ListingId,
                    listing.Url,
                    listing.SellerId,
                    listing.SellerName,
                    listing.Title,
                    listing.Price,
                    listing.Currency,
                    snapshot = snapshot?.Sha256,
                    images = listing.ImageSha256s.ToArray(),
                    hits = JsonSerializer.Serialize(hits[i].Select(h => Store(h.Hit, h.Owner)).ToList(), Json),
                    linked,
                },
                cancellationToken);
        }

        foreach (var right in rights)
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO complaint_notice_rights (notice_id, right_id, type, jurisdiction, number, name, name_zh, status, expires_on)
                VALUES (@id, @Id2, @Type, @Jurisdiction, @Number, @Name, @NameZh, @Status, @ExpiresOn)
                """,
                new { id, Id2 = right.Id, right.Type, right.Jurisdiction, right.Number, right.Name, right.NameZh, right.Status, right.ExpiresOn },
                cancellationToken);
        }

        await AddEvidenceAsync(tx, id, Party.Complainant, content.Evidence, now, cancellationToken);

        // Every listing already under an open notice: nothing for the platform to review twice.
        var state = NoticeState.Submitted;
        if (linkedTo.Count == content.Listings.Count)
        {
            state = NoticeState.Linked;
            await tx.ExecuteAsync(
                "UPDATE complaint_notices SET state = 'linked', linked_notice_id = @first, next_timer_at = NULL, closed_at = @now WHERE id = @id; SELECT tm_complaint_timers_sync(ARRAY[@id])",
                new { id, first = linkedTo[0], now },
                cancellationToken);
        }

        var detail = new { listings = content.Listings.Count, linked = linkedTo.Distinct().ToList(), fastTrack };
        await EventAsync(tx, id, Party.Complainant, "file", null, state, detail, now, cancellationToken);
        // The answer is read before the audit row and the notifications, which it does not show: one round trip fewer.
        var (row, view) = await FindViewAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("A notice just filed is not visible to its complainant.");
        await tx.AuditAsync("complaint.file", "complaint_notice", id.ToString(), complainant, after: Summary(row, content.Listings.Count), detail: detail, cancellationToken: cancellationToken);
        await AnnounceAsync(tx, row, state == NoticeState.Linked ? "linked" : "filed", null, Party.Complainant, now, cancellationToken, title: content.Listings[0].Title);
        return view;
    }

    public async Task<NoticeView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, view) = await FindViewAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("complaint_notice", id.ToString());
        await tx.AuditAsync("complaint.read", "complaint_notice", id.ToString(), row.ComplainantOrgId, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The rights the caller may file on today (held, or covered by an agent's authorisation), in force: the choices of the filing form.</summary>
    public async Task<IReadOnlyList<RightChoice>> RightChoicesAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<RightChoice>(
            """
            SELECT id, type, jurisdiction, number, name, name_zh FROM rights
            WHERE tm_may_act_for_right(tm_org(), id, tm_now()) AND (expires_on IS NULL OR expires_on >= (tm_now() AT TIME ZONE 'UTC')::date)
            ORDER BY name, id LIMIT 500
            """,
            null,
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.ToList();
    }

    /// <summary>Notices the caller may see, newest first; <c>role=platform</c> or <c>role=complainant</c> keeps those it takes that part in.</summary>
    public async Task<Page<NoticeSummary>> ListAsync(NoticeFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var limit = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var after = Paging.DecodeId(rules, filter.Cursor);
        var state = QueryValues.Enum<NoticeState>(rules, "state", filter.State);
        var platform = QueryValues.Id(rules, "platformId", filter.PlatformId);
        if (filter.Role is not (null or "" or "platform" or "complainant"))
        {
            rules.Add("role", "invalid_value");
        }

        var q = rules.Optional("q", filter.Q, 200);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<SummaryRow>(
            SummarySelect + """

            WHERE (@after::uuid IS NULL OR n.id < @after)
              AND (@state::text IS NULL OR n.state = @state)
              AND (@platform::uuid IS NULL OR n.platform_org_id = @platform)
              AND (@role::text IS NULL OR (@role = 'platform' AND n.platform_org_id = tm_org())
                   OR (@role = 'complainant' AND n.platform_org_id <> tm_org() AND tm_complaint_party(n.complainant_org_id, n.holder_org_id, n.platform_org_id)))
              AND (@q::text IS NULL OR EXISTS (SELECT 1 FROM complaint_notice_listings q WHERE q.notice_id = n.id
                   AND (q.title ILIKE '%' || @q || '%' OR q.listing_ref = @qExact OR q.seller_id = @qExact)))
            ORDER BY n.id DESC
            LIMIT @take
            """,
            new
            {
                after,
                state = state is { } s ? ComplaintWire.ToWire(s) : null,
                platform,
                role = string.IsNullOrEmpty(filter.Role) ? null : filter.Role,
                q = q is null ? null : EscapeLike(q),
                qExact = q,
                take = limit + 1,
            },
            cancellationToken);
        var page = Paging.Build(rows.Select(r => r.ToView()).ToList(), limit, n => n.Id.ToString());
        if (page.Items.Count > 0)
        {
            await tx.AuditAsync("complaint.list", "complaint_notice", null, detail: new { ids = page.Items.Select(n => n.Id).ToList() }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return page;
    }

    /// <summary>
    /// The platform's review queue: notices waiting for its decision (new notices, counter-notices to forward,
    /// appeals), soonest deadline first; fast-track complainants' notices come first at equal deadlines.
    /// </summary>
    public async Task<IReadOnlyList<NoticeSummary>> QueueAsync(string? limit, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", limit));
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        if (tx.Caller.OrganisationKind != OrganisationKind.Platform)
        {
            throw new AccessDeniedException("complaint.platforms_only", "Only platforms have a review queue.");
        }

        var rows = (await tx.QueryAsync<SummaryRow>(
            SummarySelect + """

            WHERE n.platform_org_id = tm_org() AND n.awaiting_platform
            ORDER BY coalesce(CASE n.state WHEN 'counter_noticed' THEN n.forward_due_at END, n.review_due_at), n.fast_track DESC, n.id
            LIMIT @take
            """,
            new { take },
            cancellationToken)).Select(r => r.ToView()).ToList();
        if (rows.Count > 0)
        {
            await tx.AuditAsync("complaint.queue", "complaint_notice", null, detail: new { ids = rows.Select(n => n.Id).ToList() }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>A file of a notice (a listing's snapshot or picture, or evidence), for a reader who may see the notice; audited.</summary>
    public async Task<(BlobInfo Blob, string FileName)> ReadFileAsync(Guid id, string sha256, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await FindRowAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("complaint_notice", id.ToString());
        var result = await ReadFileAsync(tx, row, sha256, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    internal async Task<(BlobInfo Blob, string FileName)> ReadFileAsync(DbTx tx, NoticeRow row, string sha256, CancellationToken cancellationToken)
    {
        var hash = NoticeRules.Sha256(sha256) ?? throw new RecordNotFoundException("complaint_file", sha256);
        var cited = await tx.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (SELECT 1 FROM complaint_evidence WHERE notice_id = @id AND sha256 = @hash)
                OR EXISTS (SELECT 1 FROM complaint_notice_listings WHERE notice_id = @id AND (snapshot_sha256 = @hash OR @hash = ANY (image_sha256s)))
            """,
            new { id = row.Id, hash },
            cancellationToken);
        var blob = cited ? await blobs.FindAsync(tx, hash, cancellationToken) : null;
        if (blob is null)
        {
            throw new RecordNotFoundException("complaint_file", sha256);
        }

        await tx.AuditAsync("complaint.read_file", "complaint_notice", row.Id.ToString(), row.ComplainantOrgId, detail: new { sha256 = hash }, cancellationToken: cancellationToken);
        return (blob, $"{hash[..12]}.{MediaTypes.Extension(blob.MediaType)}");
    }

    internal static bool Chinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal);

    internal static async Task<NoticeRow?> FindRowAsync(DbTx tx, Guid id, CancellationToken cancellationToken, bool forUpdate = false) =>
        await tx.QuerySingleOrDefaultAsync<NoticeRow>(Select + " WHERE n.id = @id" + (forUpdate ? " FOR UPDATE OF n" : ""), new { id }, cancellationToken);

    /// <summary>The whole notice for <paramref name="row"/>'s reader; <paramref name="asParty"/> overrides the reader's part (the seller, through its link).</summary>
    internal async Task<NoticeView> ViewAsync(DbTx tx, NoticeRow row, Party? asParty, CancellationToken cancellationToken, SellerLinkView? link = null)
    {
        // One round trip for the parts of a notice (a filing's answer and every read of a notice show them all).
        await using var parts = await tx.QueryMultipleAsync(PartsSelect, new { row.Id }, cancellationToken);
        return await ViewAsync(tx, row, parts, asParty, cancellationToken, link);
    }

    /// <summary>The notice and its parts in one round trip, for its reader; null when the reader may not see it.</summary>
    private async Task<(NoticeRow Row, NoticeView View)?> FindViewAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        await using var parts = await tx.QueryMultipleAsync(Select + " WHERE n.id = @Id;\n" + PartsSelect, new { Id = id }, cancellationToken);
        var row = await parts.ReadSingleOrDefaultAsync<NoticeRow>();
        return row is null ? null : (row, await ViewAsync(tx, row, parts, null, cancellationToken));
    }

    private const string PartsSelect = """
        SELECT right_id AS id, type, jurisdiction, number, name, name_zh, status, expires_on AS expires FROM complaint_notice_rights WHERE notice_id = @Id ORDER BY name, right_id;
        SELECT * FROM complaint_notice_listings WHERE notice_id = @Id ORDER BY position;
        SELECT e.sha256, e.description, e.party, b.media_type, b.size, e.added_at
        FROM complaint_evidence e JOIN blobs b ON b.sha256 = e.sha256 WHERE e.notice_id = @Id ORDER BY e.added_at, e.id;
        SELECT e.id, e.occurred_at, e.party, e.actor_org_id, o.name_en, o.name_zh, o.kind, e.action, e.from_state, e.to_state, e.detail::text AS detail
        FROM complaint_timeline e LEFT JOIN organisations o ON o.id = e.actor_org_id
        WHERE e.notice_id = @Id ORDER BY e.occurred_at, e.id
        """;

    private async Task<NoticeView> ViewAsync(DbTx tx, NoticeRow row, SqlMapper.GridReader parts, Party? asParty, CancellationToken cancellationToken, SellerLinkView? link = null)
    {
        var rights = (await parts.ReadAsync<NoticeRightView>()).ToList();
        var listingRows = (await parts.ReadAsync<ListingRow>()).ToList();
        var evidence = (await parts.ReadAsync<EvidenceRow>()).Select(e => new EvidenceView(e.Sha256, e.Description, ComplaintWire.Parse<Party>(e.Party), e.MediaType, e.Size, e.AddedAt)).ToList();
        var timeline = (await parts.ReadAsync<EventRow>()).Select(e => e.ToView()).ToList();
        return await ViewAsync(tx, row, rights, listingRows, evidence, timeline, asParty, cancellationToken, link);
    }

    private async Task<NoticeView> ViewAsync(
        DbTx tx, NoticeRow row, List<NoticeRightView> rights, List<ListingRow> listingRows, List<EvidenceView> evidence, List<TimelineEntry> timeline,
        Party? asParty, CancellationToken cancellationToken, SellerLinkView? link = null)
    {
        var linkedStates = new Dictionary<Guid, NoticeState>();
        if (listingRows.Any(l => l.LinkedNoticeId is not null))
        {
            foreach (var linked in await tx.QueryAsync<(Guid NoticeId, string State)>("SELECT notice_id, state FROM tm_complaint_linked_states(@Id)", row, cancellationToken))
            {
                linkedStates[linked.NoticeId] = ComplaintWire.Parse<NoticeState>(linked.State);
            }
        }

        var party = asParty ?? row.Party;
        var now = clock.GetUtcNow();
        var allowed = party is { } p ? NoticeWorkflow.ActionsFor(row.NoticeState, p).Where(a => Open(row, a, now)).ToList() : [];
        return new NoticeView(
            row.Id,
            row.NoticeState,
            ComplaintWire.Parse<InfringementKind>(row.Kind),
            row.Jurisdiction,
            row.Complainant,
            row.Holder,
            row.Platform,
            asParty is { } seller ? ComplaintWire.ToWire(seller) : row.Role,
            allowed,
            rights,
            listingRows.Select(l => l.ToView(this, l.LinkedNoticeId is { } n && linkedStates.TryGetValue(n, out var s) ? s : null)).ToList(),
            evidence,
            row.Description,
            row.GoodFaithStatement,
            row.Signature,
            row.FastTrack,
            row.LinkedNoticeId,
            row.Measure is { } measure ? new DecisionView(ComplaintWire.Parse<Measure>(measure), row.MeasureReasons ?? "", row.DecidedAt!.Value) : null,
            row.CounterNoticeAt is { } received ? new CounterNoticeView(row.CounterStatement ?? "", row.CounterSellerName ?? "", row.CounterSellerContact ?? "", row.CounterVia ?? "", received, row.ForwardedAt) : null,
            row.FiledActionKind is { } filed ? new FiledActionView(ComplaintWire.Parse<FiledActionKind>(filed), row.FiledActionWith ?? "", row.FiledActionReference) : null,
            row.AppealReasons is { } appeal ? new AppealView(appeal, row.AppealDecisionReasons) : null,
            row.Finding is { } finding ? new FindingView(ComplaintWire.Parse<Finding>(finding), row.FindingReasons ?? "", row.FindingAt!.Value) : null,
            new DeadlinesView(
                (await complaintRules.JurisdictionAsync(row.Jurisdiction, cancellationToken))?.Calendar ?? row.Jurisdiction,
                row.ReviewDueAt,
                row.ReviewOverdueAt,
                row.AppealDueAt,
                row.ForwardDueAt,
                row.ForwardOverdueAt,
                row.RestoreNotBefore,
                row.RestoreLatest,
                row.RestoredAt,
                row.DeadlinesProvisional),
            Distributions.Parse(row.Distribution),
            row.SharingGroupId,
            row.Version,
            row.CreatedAt,
            row.UpdatedAt,
            timeline,
            link);
    }

    /// <summary>Actions whose own window has closed are not offered (an appeal after its time, a lawsuit shown after the period).</summary>
    private static bool Open(NoticeRow row, NoticeAction action, DateTimeOffset now) => action switch
    {
        NoticeAction.Appeal => row.AppealDueAt is not { } due || now < due,
        NoticeAction.ReportActionFiled => row.RestoreNotBefore is not { } end || now < end,
        _ => true,
    };

    internal HitView Present(StoredHit hit) => new(
        hit.MarkId,
        hit.Mark,
        hit.Kind,
        hit.Start,
        hit.Length,
        hit.Matched,
        hit.Normalised,
        hit.Distance,
        hit.Score,
        hit.Signs,
        hit.ReasonCode,
        screening.LocaliseReason(hit.ReasonCode, hit.Kind == HitKind.RiskTerm.ToWire(), hit.Mark, hit.ReasonArguments, hit.Language, hit.Reason),
        hit.Language,
        hit.Owner);

    private static StoredHit Store(ScreeningHit hit, OrganisationRef? owner) => new(
        hit.MarkId, hit.Mark, hit.Kind.ToWire(), hit.Start, hit.Length, hit.Matched, hit.Normalised, hit.Distance, hit.Score,
        ScreeningService.Signs(hit.Signs), hit.ReasonCode.ToWire(), hit.ReasonArguments, hit.Language, hit.Reason, owner);

    private static async Task<List<RightRow>> CheckRightsAsync(DbTx tx, FieldRules rules, IReadOnlyList<Guid> ids, InfringementKind kind, Guid complainant, DateTimeOffset now, CancellationToken cancellationToken) =>
        ids.Count == 0 ? [] : CheckRights(rules, ids, kind, await FindRightsAsync(tx, ids, complainant, now, cancellationToken), now);

    /// <summary>The rights among <paramref name="ids"/> the caller can see, each with whether <paramref name="complainant"/> may act for it.</summary>
    private static async Task<Dictionary<Guid, RightRow>> FindRightsAsync(DbTx tx, IEnumerable<Guid> ids, Guid complainant, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await tx.QueryAsync<RightRow>(
            """
            SELECT r.id, r.owner_org_id, r.type, r.jurisdiction, r.number, r.name, r.name_zh, r.status, r.expires_on,
                   tm_may_act_for_right(@complainant, r.id, @now) AS may_act
            FROM rights r WHERE r.id = ANY (@ids)
            """,
            new { ids = ids.Distinct().ToArray(), complainant, now },
            cancellationToken)).ToDictionary(r => r.Id);

    private static List<RightRow> CheckRights(FieldRules rules, IReadOnlyList<Guid> ids, InfringementKind kind, Dictionary<Guid, RightRow> found, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var fitting = ComplaintWire.RightTypesFor(kind).Select(Core.Rights.RightWords.ToWire).ToHashSet(StringComparer.Ordinal);
        var result = new List<RightRow>();
        for (var i = 0; i < ids.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"rightIds[{i}]");
            if (!found.TryGetValue(ids[i], out var right))
            {
                rules.Add(field, "complaint.right_unknown");
                continue;
            }

            if (result.Any(r => r.Id == right.Id))
            {
                continue;
            }

            if (!right.MayAct)
            {
                rules.Add(field, "complaint.right_not_held", right.Name);
            }
            else if (right.Status == "expired" || right.ExpiresOn < today)
            {
                rules.Add(field, "complaint.right_expired", right.Name, right.ExpiresOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-");
            }
            else if (right.Status != "registered")
            {
                rules.Add(field, "complaint.right_not_in_force", right.Name, right.Status);
            }
            else if (!fitting.Contains(right.Type))
            {
                rules.Add(field, "complaint.right_type_mismatch", right.Name, ComplaintWire.ToWire(kind));
            }

            result.Add(right);
        }

        if (result.Select(r => r.OwnerOrgId).Distinct().Count() > 1)
        {
            rules.Add("rightIds", "complaint.rights_of_several_holders");
        }

        return result;
    }

    /// <summary>Every file a notice cites must be one the filer uploaded (a SHA-256 alone proves nothing); pictures of listings must be pictures.</summary>
    private static async Task CheckFilesAsync(DbTx tx, FieldRules rules, NoticeContent content, CancellationToken cancellationToken)
    {
        var cited = content.Evidence.Select(e => e.Sha256).Concat(content.Listings.SelectMany(l => l.ImageSha256s)).Distinct(StringComparer.Ordinal).ToArray();
        if (cited.Length == 0)
        {
            return;
        }

        var uploaded = (await tx.QueryAsync<(string Sha256, string MediaType)>(
            "SELECT f.sha256, b.media_type FROM complaint_files f JOIN blobs b ON b.sha256 = f.sha256 WHERE f.sha256 = ANY (@cited)",
            new { cited },
            cancellationToken)).ToDictionary(f => f.Sha256, f => f.MediaType, StringComparer.Ordinal);
        for (var i = 0; i < content.Evidence.Count; i++)
        {
            if (!uploaded.ContainsKey(content.Evidence[i].Sha256))
            {
                rules.Add(string.Create(CultureInfo.InvariantCulture, $"evidence[{i}].sha256"), "complaint.file_unknown");
            }
        }

        for (var i = 0; i < content.Listings.Count; i++)
        {
            var images = content.Listings[i].ImageSha256s;
            for (var j = 0; j < images.Count; j++)
            {
                var field = string.Create(CultureInfo.InvariantCulture, $"listings[{i}].imageSha256s[{j}]");
                if (!uploaded.TryGetValue(images[j], out var type))
                {
                    rules.Add(field, "complaint.file_unknown");
                }
                else if (!type.StartsWith("image/", StringComparison.Ordinal))
                {
                    rules.Add(field, "complaint.file_not_image", type);
                }
            }
        }
    }

    /// <summary>Whether the complainant's notices get the platform's fast track now: granted, and its record meets the platform's standard.</summary>
    private async Task<bool> FastTrackAsync(DbTx tx, PlatformView platform, Guid complainant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var granted = await tx.QuerySingleOrDefaultAsync<DateTimeOffset?>(
            "SELECT granted_at FROM complaint_fast_track WHERE platform_org_id = @platform AND complainant_org_id = @complainant AND revoked_at IS NULL",
            new { platform = platform.Organisation.Id, complainant },
            cancellationToken);
        if (granted is null)
        {
            return false;
        }

        var verdict = Accuracy.Evaluate(await ComplaintSanctions.CountsAsync(tx, complainant, platform.Organisation.Id, now.AddDays(-platform.AccuracyWindowDays), cancellationToken), platform.Accuracy);
        if (!verdict.Eligible)
        {
            // Once per grant: the complainant learns it lost the fast track, and why.
            var payload = new
            {
                platformEn = platform.Organisation.NameEn,
                platformZh = platform.Organisation.NameZh,
                reasons = string.Join(", ", verdict.Bars.Select(ComplaintWire.ToWire)),
                link = "/complaints/accuracy",
            };
            var key = string.Create(CultureInfo.InvariantCulture, $"complaint.fast_track_lost:{platform.Organisation.Id}:{complainant}:{granted.Value.ToUnixTimeMilliseconds()}");
            await outbox.AddAsync(tx, new NewNotification("complaint.fast_track_lost", complainant, payload, "complaint_platform", platform.Organisation.Id.ToString(), DedupeKey: key), cancellationToken);
        }

        return verdict.Eligible;
    }

    private static async Task AddEvidenceAsync(DbTx tx, Guid id, Party party, IReadOnlyList<EvidenceContent> evidence, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var item in evidence)
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO complaint_evidence (id, notice_id, sha256, description, party, added_by_org_id, added_at)
                VALUES (@evidenceId, @id, @Sha256, @Description, @party, @org, @now)
                ON CONFLICT (notice_id, party, sha256) DO NOTHING
                """,
                new { evidenceId = Guid.CreateVersion7(), id, item.Sha256, item.Description, party = ComplaintWire.ToWire(party), org = tx.Caller.OrganisationId, now },
                cancellationToken);
        }
    }

    private static Task<int> EventAsync(DbTx tx, Guid id, Party party, string action, NoticeState? from, NoticeState? to, object detail, DateTimeOffset now, CancellationToken cancellationToken) =>
        tx.ExecuteAsync(
            """
            INSERT INTO complaint_events (id, notice_id, occurred_at, party, actor_org_id, actor_user_id, action, from_state, to_state, detail)
            VALUES (@eventId, @id, @now, @party, @org, @user, @action, @from, @to, @detail::jsonb)
            """,
            new
            {
                eventId = Guid.CreateVersion7(),
                id,
                now,
                party = ComplaintWire.ToWire(party),
                org = party == Party.Seller ? null : tx.Caller.OrganisationId,
                user = party == Party.Seller ? null : tx.Caller.UserId,
                action,
                from = from is { } f ? ComplaintWire.ToWire(f) : null,
                to = to is { } t ? ComplaintWire.ToWire(t) : null,
                detail = JsonSerializer.Serialize(detail, Json),
            },
            cancellationToken);

    /// <summary>
    /// Tells the parties what happened: in the inbox of every party organisation but the one that acted, and by
    /// webhook to every party organisation with an endpoint for it (a platform's systems follow every change).
    /// </summary>
    private async Task AnnounceAsync(DbTx tx, NoticeRow row, string happened, NoticeState? previous, Party by, DateTimeOffset now, CancellationToken cancellationToken, IReadOnlyDictionary<string, object?>? extra = null, string? title = null)
    {
        var kind = "complaint." + happened;
        var parties = new[] { row.ComplainantOrgId, row.HolderOrgId, row.PlatformOrgId }.Distinct().ToList();
        title ??= await tx.ExecuteScalarAsync<string>("SELECT title FROM complaint_notice_listings WHERE notice_id = @Id ORDER BY position LIMIT 1", row, cancellationToken) ?? "";
        var inbox = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["notice"] = row.Id,
            ["title"] = title,
            ["platformEn"] = row.PlatformNameEn,
            ["platformZh"] = row.PlatformNameZh,
            ["link"] = $"/complaints/{row.Id}",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object?>(StringComparer.Ordinal))
        {
            inbox[key] = value;
        }

        foreach (var organisation in parties.Where(o => by == Party.Seller || by == Party.System || o != tx.Caller.OrganisationId))
        {
            await outbox.AddAsync(tx, new NewNotification(kind, organisation, inbox, "complaint_notice", row.Id.ToString()), cancellationToken);
        }

        await webhooks.AddAsync(tx, parties, kind, NoticeEvents.Payload(row, kind, previous, now, extra), "complaint_notice", row.Id.ToString(), cancellationToken);
    }

    private static object Summary(NoticeRow row, int listings) => new { row.Id, state = row.State, row.Kind, row.Jurisdiction, platform = row.PlatformOrgId, holder = row.HolderOrgId, listings, row.FastTrack };

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }

    private const string SummarySelect = """
        SELECT n.id, n.state, n.kind, n.jurisdiction, n.complainant_org_id, c.name_en AS complainant_name_en, c.name_zh AS complainant_name_zh, c.kind AS complainant_kind,
               n.platform_org_id, p.name_en AS platform_name_en, p.name_zh AS platform_name_zh, p.kind AS platform_kind,
               coalesce((SELECT l.title FROM complaint_notice_listings l WHERE l.notice_id = n.id ORDER BY l.position LIMIT 1), '') AS title,
               (SELECT count(*)::int FROM complaint_notice_listings l WHERE l.notice_id = n.id) AS listings,
               n.fast_track, n.review_due_at, n.review_overdue_at, n.next_timer_at, n.linked_notice_id, n.created_at, n.updated_at
        FROM complaint_notices n
        JOIN organisations c ON c.id = n.complainant_org_id
        JOIN organisations p ON p.id = n.platform_org_id
        """;

    private sealed record ListingClaim(Guid ListingId, Guid HolderNoticeId);

    private sealed record RightRow(Guid Id, Guid OwnerOrgId, string Type, string Jurisdiction, string? Number, string Name, string? NameZh, string Status, DateOnly? ExpiresOn, bool MayAct);

    private sealed record EvidenceRow(string Sha256, string? Description, string Party, string MediaType, long Size, DateTimeOffset AddedAt);

    private sealed record SummaryRow(
        Guid Id, string State, string Kind, string Jurisdiction, Guid ComplainantOrgId, string ComplainantNameEn, string ComplainantNameZh, string ComplainantKind,
        Guid PlatformOrgId, string PlatformNameEn, string PlatformNameZh, string PlatformKind, string Title, int Listings, bool FastTrack, DateTimeOffset ReviewDueAt,
        DateTimeOffset? ReviewOverdueAt, DateTimeOffset? NextTimerAt, Guid? LinkedNoticeId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public NoticeSummary ToView() => new(
            Id, ComplaintWire.Parse<NoticeState>(State), ComplaintWire.Parse<InfringementKind>(Kind), Jurisdiction,
            new OrganisationRef(ComplainantOrgId, ComplainantNameEn, ComplainantNameZh, ComplainantKind),
            new OrganisationRef(PlatformOrgId, PlatformNameEn, PlatformNameZh, PlatformKind),
            Title, Listings, FastTrack, ReviewDueAt, ReviewOverdueAt, NextTimerAt, LinkedNoticeId, CreatedAt, UpdatedAt);
    }

    private sealed class ListingRow
    {
        public Guid NoticeId { get; init; }

        public int Position { get; init; }

        public string ListingRef { get; init; } = "";

        public string Url { get; init; } = "";

        public string SellerId { get; init; } = "";

        public string? SellerName { get; init; }

        public string Title { get; init; } = "";

        public decimal? Price { get; init; }

        public string? Currency { get; init; }

        public string? SnapshotSha256 { get; init; }

        public string[] ImageSha256s { get; init; } = [];

        public string Hits { get; init; } = "[]";

        public Guid? LinkedNoticeId { get; init; }

        public NoticeListingView ToView(NoticeStore store, NoticeState? linkedState) => new(
            Position,
            ListingRef,
            Url,
            SellerId,
            SellerName,
            Title,
            Price,
            Currency?.Trim(),
            SnapshotSha256,
            ImageSha256s,
            (JsonSerializer.Deserialize<List<StoredHit>>(Hits, Json) ?? []).Select(store.Present).ToList(),
            LinkedNoticeId,
            linkedState);
    }

    private sealed class EventRow
    {
        public Guid NoticeId { get; init; }

        public Guid Id { get; init; }

        public DateTimeOffset OccurredAt { get; init; }

        public string Party { get; init; } = "";

        public Guid? ActorOrgId { get; init; }

        public string? NameEn { get; init; }

        public string? NameZh { get; init; }

        public string? Kind { get; init; }

        public string Action { get; init; } = "";

        public string? FromState { get; init; }

        public string? ToState { get; init; }

        public string Detail { get; init; } = "{}";

        public TimelineEntry ToView()
        {
            using var document = JsonDocument.Parse(Detail);
            return new TimelineEntry(
                Id,
                OccurredAt,
                ComplaintWire.Parse<Party>(Party),
                ActorOrgId is { } actor ? new OrganisationRef(actor, NameEn ?? "", NameZh ?? "", Kind ?? "") : null,
                Action,
                FromState is null ? null : ComplaintWire.Parse<NoticeState>(FromState),
                ToState is null ? null : ComplaintWire.Parse<NoticeState>(ToState),
                document.RootElement.Clone());
        }
    }
}
