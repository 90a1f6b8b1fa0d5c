using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

/// <summary>The parties' actions on a notice. Each asks the transition table, changes the row under a lock, and writes the timeline, the audit trail and the parties' notifications in the same transaction.</summary>
public sealed partial class NoticeStore
{
    public const int CounterStatementMax = NoticeRules.StatementMax;
    public const int ContactMax = 500;
    public const int FiledWithMax = 300;
    public const int ReferenceMax = 200;

    /// <summary>The platform decides: a measure (with a strike against each seller and a link for it to answer) or no action.</summary>
    public async Task<NoticeView> DecideAsync(Guid id, DecisionInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var measure = Measure.Remove;
        if (input.Measure is null)
        {
            rules.Add("measure", "required");
        }
        else if (!ComplaintWire.TryParse(input.Measure, out measure))
        {
            rules.Add("measure", "complaint.measure_unknown", input.Measure, string.Join(", ", ComplaintWire.All<Measure>()));
        }

        var reasons = NoticeRules.Reasons(rules, "reasons", input.Reasons);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        var now = clock.GetUtcNow();
        var action = ComplaintWire.TakesDown(measure) ? NoticeAction.TakeMeasure : NoticeAction.Decline;
        var (jurisdiction, calendar) = await RulesOfAsync(row, cancellationToken);
        var appeal = ComplaintWire.TakesDown(measure) ? ComplaintClock.AppealDue(calendar, jurisdiction.ToPreset(), now) : null;
        var changes = new DynamicParameters(new
        {
            measure = ComplaintWire.ToWire(measure),
            reasons,
            appealDue = appeal?.Due,
            provisional = appeal?.Provisional ?? false,
        });
        var after = await MoveAsync(
            tx,
            row,
            party,
            action,
            "measure = @measure, measure_reasons = @reasons, decided_at = @now, appeal_due_at = @appealDue, deadlines_provisional = deadlines_provisional OR @provisional",
            changes,
            new { measure = ComplaintWire.ToWire(measure), reasons },
            now,
            cancellationToken);
        SellerLinkView? link = null;
        if (action == NoticeAction.TakeMeasure)
        {
            await StrikeAsync(tx, after, now, cancellationToken);
            link = await IssueLinkAsync(tx, after, now.AddDays(jurisdiction.SellerLinkDays), now, cancellationToken);
        }

        var view = await ViewAsync(tx, after, null, cancellationToken, link);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The platform relays a counter-notice the seller gave it through its own channels.</summary>
    public async Task<NoticeView> CounterNoticeAsync(Guid id, CounterNoticeInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var content = CounterContent(rules, input);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        await CheckUploadedAsync(tx, content.Evidence, cancellationToken);
        var after = await CounterNoticeAsync(tx, row, party, content, "platform", cancellationToken);
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The platform forwards the counter-notice to the complainant; the restore period starts (PRC) or was already running (DMCA).</summary>
    public async Task<NoticeView> ForwardAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        var now = clock.GetUtcNow();
        var (jurisdiction, calendar) = await RulesOfAsync(row, cancellationToken);
        var window = ComplaintClock.Restore(calendar, jurisdiction.ToPreset(), row.CounterNoticeAt ?? now, now);
        var after = await MoveAsync(
            tx,
            row,
            party,
            NoticeAction.ForwardCounterNotice,
            "forwarded_at = @now, restore_not_before = @notBefore, restore_latest = @latest, deadlines_provisional = deadlines_provisional OR @provisional, next_timer_at = @notBefore",
            new DynamicParameters(new { notBefore = window.NotBefore, latest = window.Latest, provisional = window.Provisional }),
            new { restoreNotBefore = window.NotBefore, restoreLatest = window.Latest, window.Provisional },
            now,
            cancellationToken,
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["restoreNotBefore"] = window.NotBefore, ["due"] = Moment(window.NotBefore) });
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The complainant shows, in time, that it complained to an authority or sued: the measure stays.</summary>
    public async Task<NoticeView> ReportActionFiledAsync(Guid id, FiledActionInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var kind = FiledActionKind.Complaint;
        if (input.Kind is null)
        {
            rules.Add("kind", "required");
        }
        else if (!ComplaintWire.TryParse(input.Kind, out kind))
        {
            rules.Add("kind", "invalid_value");
        }

        var with = rules.Required("with", input.With, FiledWithMax);
        var reference = rules.Optional("reference", input.Reference, ReferenceMax);
        var evidence = EvidenceOf(rules, input.Evidence);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        var now = clock.GetUtcNow();
        if (row.NoticeState == NoticeState.CounterNoticeForwarded && row.RestoreNotBefore is { } end)
        {
            ComplaintClock.CheckActionInTime(now, end);
        }

        await CheckUploadedAsync(tx, evidence, cancellationToken);
        var after = await MoveAsync(
            tx,
            row,
            party,
            NoticeAction.ReportActionFiled,
            "filed_action_kind = @kind, filed_action_with = @with, filed_action_reference = @reference, next_timer_at = NULL",
            new DynamicParameters(new { kind = ComplaintWire.ToWire(kind), with, reference }),
            new { kind = ComplaintWire.ToWire(kind), with, reference },
            now,
            cancellationToken);
        await AddEvidenceAsync(tx, id, Party.Complainant, evidence, now, cancellationToken);
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The platform relays the seller's appeal of its decision.</summary>
    public async Task<NoticeView> AppealAsync(Guid id, ReasonsInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var reasons = NoticeRules.Reasons(rules, "reasons", input.Reasons);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        var after = await AppealAsync(tx, row, party, reasons, cancellationToken);
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The platform decides an appeal: granted lifts the measure, dismissed keeps it.</summary>
    public async Task<NoticeView> DecideAppealAsync(Guid id, AppealDecisionInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (input.Granted is null)
        {
            rules.Add("granted", "required");
        }

        var reasons = NoticeRules.Reasons(rules, "reasons", input.Reasons);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        var after = await MoveAsync(
            tx,
            row,
            party,
            input.Granted == true ? NoticeAction.GrantAppeal : NoticeAction.DismissAppeal,
            "appeal_decision_reasons = @reasons, next_timer_at = NULL",
            new DynamicParameters(new { reasons }),
            new { granted = input.Granted, reasons },
            clock.GetUtcNow(),
            cancellationToken);
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The complainant withdraws its notice; a measure in force is lifted and its strikes voided.</summary>
    public async Task<NoticeView> WithdrawAsync(Guid id, ReasonsInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var reasons = rules.Optional("reasons", input.Reasons, NoticeRules.ReasonsMax);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        var after = await MoveAsync(tx, row, party, NoticeAction.Withdraw, "next_timer_at = NULL", new DynamicParameters(), new { reasons }, clock.GetUtcNow(), cancellationToken);
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The platform records a failed notice as wrongful or malicious, against the complainant's record.</summary>
    public async Task<NoticeView> RecordFindingAsync(Guid id, FindingInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var finding = Finding.Wrongful;
        if (input.Finding is null)
        {
            rules.Add("finding", "required");
        }
        else if (!ComplaintWire.TryParse(input.Finding, out finding))
        {
            rules.Add("finding", "invalid_value");
        }

        var reasons = NoticeRules.Reasons(rules, "reasons", input.Reasons);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        if (row.Finding is not null)
        {
            throw new RuleViolationException("complaint.finding_exists", "A finding was already recorded for this notice.", "finding", true);
        }

        var after = await MoveAsync(
            tx,
            row,
            party,
            NoticeAction.RecordFinding,
            "finding = @finding, finding_reasons = @reasons, finding_at = @now",
            new DynamicParameters(new { finding = ComplaintWire.ToWire(finding), reasons }),
            new { finding = ComplaintWire.ToWire(finding), reasons },
            clock.GetUtcNow(),
            cancellationToken,
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["finding"] = ComplaintWire.ToWire(finding) });
        var view = await ViewAsync(tx, after, null, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>The platform issues a new link for the seller (the old one stops working), e.g. when the first was lost.</summary>
    public async Task<SellerLinkView> ReissueLinkAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var (row, party) = await LockAsync(tx, id, cancellationToken);
        if (party != Party.Platform)
        {
            throw new AccessDeniedException("complaint.not_your_action", "Only the platform issues links for sellers.");
        }

        if (row.Measure is null || !ComplaintWire.TakesDown(ComplaintWire.Parse<Measure>(row.Measure)))
        {
            throw new RuleViolationException("complaint.no_measure", "The seller has a link only once a measure was taken.", null, true);
        }

        var now = clock.GetUtcNow();
        var (jurisdiction, _) = await RulesOfAsync(row, cancellationToken);
        await tx.ExecuteAsync("UPDATE complaint_seller_links SET revoked_at = @now WHERE notice_id = @id AND revoked_at IS NULL", new { id, now }, cancellationToken);
        var link = await IssueLinkAsync(tx, row, now.AddDays(jurisdiction.SellerLinkDays), now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return link;
    }

    internal async Task<NoticeRow> CounterNoticeAsync(DbTx tx, NoticeRow row, Party party, CounterNoticeContent content, string via, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (jurisdiction, calendar) = await RulesOfAsync(row, cancellationToken);
        var forward = ComplaintClock.ForwardDue(calendar, jurisdiction.ToPreset(), now);
        var after = await MoveAsync(
            tx,
            row,
            party,
            NoticeAction.CounterNotice,
            """
            counter_notice_at = @now, counter_statement = @statement, counter_seller_name = @name, counter_seller_contact = @contact, counter_via = @via,
            forward_due_at = @forwardDue, deadlines_provisional = deadlines_provisional OR @provisional, next_timer_at = @forwardDue
            """,
            new DynamicParameters(new { statement = content.Statement, name = content.SellerName, contact = content.SellerContact, via, forwardDue = forward.Due, provisional = forward.Provisional }),
            new { via, affirmation = jurisdiction.CounterStatement(Chinese), files = content.Evidence.Count },
            now,
            cancellationToken);
        await AddEvidenceAsync(tx, row.Id, Party.Seller, content.Evidence, now, cancellationToken);
        return after;
    }

    internal async Task<NoticeRow> AppealAsync(DbTx tx, NoticeRow row, Party party, string reasons, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (row.NoticeState == NoticeState.MeasureTaken)
        {
            ComplaintClock.CheckAppealInTime(now, row.AppealDueAt);
        }

        return await MoveAsync(
            tx,
            row,
            party,
            NoticeAction.Appeal,
            "appeal_reasons = @reasons, appeal_decision_reasons = NULL",
            new DynamicParameters(new { reasons }),
            new { reasons },
            now,
            cancellationToken);
    }

    /// <summary>What a counter-notice must hold: the seller's statement, name and contact, its affirmation of the jurisdiction's declaration, and its files.</summary>
    internal static CounterNoticeContent CounterContent(FieldRules rules, CounterNoticeInput input)
    {
        var statement = rules.Required("statement", input.Statement, CounterStatementMax);
        var name = rules.Required("sellerName", input.SellerName, NoticeRules.SellerMax);
        var contact = rules.Required("sellerContact", input.SellerContact, ContactMax);
        if (input.Affirmed != true)
        {
            rules.Add("affirmed", "complaint.affirmation_required");
        }

        return new CounterNoticeContent(statement, name, contact, EvidenceOf(rules, input.Evidence));
    }

    private static List<EvidenceContent> EvidenceOf(FieldRules rules, IReadOnlyList<EvidenceInput?>? evidence) => NoticeRules.Evidence(rules, evidence);

    /// <summary>Files a party cites must be ones its organisation uploaded.</summary>
    private static async Task CheckUploadedAsync(DbTx tx, IReadOnlyList<EvidenceContent> evidence, CancellationToken cancellationToken)
    {
        if (evidence.Count == 0)
        {
            return;
        }

        var uploaded = (await tx.QueryAsync<string>(
            "SELECT sha256 FROM complaint_files WHERE sha256 = ANY (@hashes)",
            new { hashes = evidence.Select(e => e.Sha256).ToArray() },
            cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var rules = new FieldRules();
        for (var i = 0; i < evidence.Count; i++)
        {
            if (!uploaded.Contains(evidence[i].Sha256))
            {
                rules.Add(string.Create(CultureInfo.InvariantCulture, $"evidence[{i}].sha256"), "complaint.file_unknown");
            }
        }

        rules.ThrowIfAny();
    }

    /// <summary>The notice locked for a change, and the caller's part in it; 404 when invisible, 403 for an observer.</summary>
    private static async Task<(NoticeRow Row, Party Party)> LockAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await FindRowAsync(tx, id, cancellationToken, forUpdate: true);
        if (row is null)
        {
            // Only parties may lock (the update policy); an observer still sees the notice.
            if (await FindRowAsync(tx, id, cancellationToken) is not null)
            {
                throw new AccessDeniedException("complaint.not_party", "Only the complainant and the platform act on a notice.");
            }

            throw new RecordNotFoundException("complaint_notice", id.ToString());
        }

        if (!tx.Caller.CanWrite || row.Party is not { } party)
        {
            throw new AccessDeniedException("complaint.not_party", "Only the complainant and the platform act on a notice.");
        }

        return (row, party);
    }

    private async Task<(JurisdictionView Jurisdiction, Core.Calendars.WorkingDayCalendar Calendar)> RulesOfAsync(NoticeRow row, CancellationToken cancellationToken)
    {
        var jurisdiction = await complaintRules.GetJurisdictionAsync(row.Jurisdiction, cancellationToken);
        return (jurisdiction, await calendars.GetAsync(jurisdiction.Calendar, cancellationToken));
    }

    /// <summary>
    /// Makes one transition of the table: the state and <paramref name="set"/> columns change under the row's
    /// lock, the clock's next look is set for the new state, the transition's effects follow, and the step is
    /// written to the timeline, the audit trail and the parties' inboxes and webhooks.
    /// </summary>
    private async Task<NoticeRow> MoveAsync(
        DbTx tx,
        NoticeRow row,
        Party by,
        NoticeAction action,
        string set,
        DynamicParameters changes,
        object detail,
        DateTimeOffset now,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, object?>? announce = null)
    {
        if (!NoticeWorkflow.Transitions.Any(t => t.Action == action && t.By == by))
        {
            throw new AccessDeniedException("complaint.not_your_action", $"A {by} does not {action}.");
        }

        var transition = NoticeWorkflow.Next(row.NoticeState, action, by);
        changes.Add("id", row.Id);
        changes.Add("now", now);
        changes.Add("to", ComplaintWire.ToWire(transition.To));
        changes.Add("closes", NoticeWorkflow.IsClosed(transition.To) && !NoticeWorkflow.IsClosed(row.NoticeState));
        await tx.ExecuteAsync(
            $"""
            UPDATE complaint_notices SET state = @to, {set}, closed_at = CASE WHEN @closes THEN @now ELSE closed_at END,
                version = version + 1, updated_at = @now
            WHERE id = @id;
            SELECT tm_complaint_timers_sync(ARRAY[@id]);
            """,
            changes,
            cancellationToken);
        if (transition.Effects.HasFlag(TransitionEffects.ReleasesListings))
        {
            await tx.ExecuteScalarAsync<int>(
                "SELECT tm_complaint_close(@id, @voids, @reason, @now)",
                new { id = row.Id, voids = transition.Effects.HasFlag(TransitionEffects.VoidsStrikes), reason = ComplaintWire.ToWire(action), now },
                cancellationToken);
        }

        var after = await FindRowAsync(tx, row.Id, cancellationToken) ?? throw new InvalidOperationException("A notice just changed is not visible.");
        var name = ComplaintWire.ToWire(action);
        await EventAsync(tx, row.Id, by, name, row.NoticeState, transition.To, detail, now, cancellationToken);
        await tx.AuditAsync(
            "complaint." + name,
            "complaint_notice",
            row.Id.ToString(),
            row.ComplainantOrgId,
            new { state = row.State, row.Version },
            new { state = after.State, after.Version },
            new { by = ComplaintWire.ToWire(by), detail },
            cancellationToken);
        await AnnounceAsync(tx, after, Happened(action), row.NoticeState, by, now, cancellationToken, announce);
        return after;
    }

    private static string Happened(NoticeAction action) => action switch
    {
        NoticeAction.TakeMeasure => "measure_taken",
        NoticeAction.Decline => "no_action",
        NoticeAction.CounterNotice => "counter_noticed",
        NoticeAction.ForwardCounterNotice => "counter_notice_forwarded",
        NoticeAction.ReportActionFiled => "action_filed",
        NoticeAction.Restore => "restored",
        NoticeAction.Appeal => "appealed",
        NoticeAction.DismissAppeal => "appeal_dismissed",
        NoticeAction.GrantAppeal => "appeal_granted",
        NoticeAction.Withdraw => "withdrawn",
        NoticeAction.RecordFinding => "finding_recorded",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>A strike against each seller of the notice's own listings; a seller whose standing strikes reach the platform's limit is recommended for suspension, once until the platform resolves it.</summary>
    private async Task StrikeAsync(DbTx tx, NoticeRow row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var platform = await ComplaintRulesStore.FindPlatformAsync(tx, row.PlatformOrgId, cancellationToken) ?? throw new InvalidOperationException("The notice's platform has no settings.");
        var policy = platform.Strikes;
        var sellers = await tx.QueryAsync<string>(
            "SELECT DISTINCT seller_id FROM complaint_notice_listings WHERE notice_id = @Id AND linked_notice_id IS NULL ORDER BY seller_id",
            row,
            cancellationToken);
        foreach (var seller in sellers)
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO complaint_strikes (id, platform_org_id, seller_id, notice_id, struck_at) VALUES (@strike, @platform, @seller, @notice, @now)
                ON CONFLICT (notice_id, seller_id) DO NOTHING
                """,
                new { strike = Guid.CreateVersion7(), platform = row.PlatformOrgId, seller, notice = row.Id, now },
                cancellationToken);
            var strikes = await tx.ExecuteScalarAsync<int>(
                """
                SELECT count(*)::int FROM complaint_strikes
                WHERE platform_org_id = @platform AND seller_id = @seller AND voided_at IS NULL AND struck_at >= @since
                """,
                new { platform = row.PlatformOrgId, seller, since = policy.WindowStart(now) },
                cancellationToken);
            if (!policy.RecommendsSuspension(strikes))
            {
                continue;
            }

            var recommendation = await tx.ExecuteScalarAsync<Guid?>(
                """
                INSERT INTO complaint_recommendations (id, platform_org_id, seller_id, strikes, window_days, notice_id, created_at)
                VALUES (@recommendation, @platform, @seller, @strikes, @WindowDays, @notice, @now)
                ON CONFLICT (platform_org_id, seller_id) WHERE resolved_at IS NULL DO NOTHING
                RETURNING id
                """,
                new { recommendation = Guid.CreateVersion7(), platform = row.PlatformOrgId, seller, strikes, policy.WindowDays, notice = row.Id, now },
                cancellationToken);
            if (recommendation is null)
            {
                continue;
            }

            var facts = new { sellerId = seller, strikes, windowDays = policy.WindowDays, limit = policy.Limit };
            await EventAsync(tx, row.Id, Party.System, "suspension_recommended", null, null, facts, now, cancellationToken);
            await tx.AuditAsync("complaint.recommend_suspension", "complaint_recommendation", recommendation.ToString(), row.PlatformOrgId, after: facts, cancellationToken: cancellationToken);
            var inbox = new { sellerId = seller, strikes, windowDays = policy.WindowDays, link = "/complaints/sellers" };
            await outbox.AddAsync(tx, new NewNotification("complaint.suspension_recommended", row.PlatformOrgId, inbox, "complaint_recommendation", recommendation.ToString()), cancellationToken);
            await webhooks.AddAsync(tx, row.PlatformOrgId, "complaint.suspension_recommended", new { recommendationId = recommendation, sellerId = seller, strikes, windowDays = policy.WindowDays, noticeId = row.Id, occurredAt = now }, "complaint_recommendation", recommendation.ToString(), null, cancellationToken);
        }
    }

    /// <summary>A new unguessable link for the seller; only the SHA-256 of its token is kept, so it is shown this once.</summary>
    private async Task<SellerLinkView> IssueLinkAsync(DbTx tx, NoticeRow row, DateTimeOffset expires, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var token = SellerTokens.Create();
        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_seller_links (id, notice_id, token_sha256, created_by_org_id, created_at, expires_at)
            VALUES (@link, @notice, @hash, @org, @now, @expires)
            """,
            new { link = Guid.CreateVersion7(), notice = row.Id, hash = SellerTokens.Hash(token), org = tx.Caller.OrganisationId, now, expires },
            cancellationToken);
        await EventAsync(tx, row.Id, Party.Platform, "seller_link_issued", null, null, new { expiresAt = expires }, now, cancellationToken);
        var path = "/s/" + token;
        var request = http.HttpContext?.Request;
        return new SellerLinkView(path, request is null ? null : $"{request.Scheme}://{request.Host}{path}", expires);
    }

    private static string Moment(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>A counter-notice after validation.</summary>
internal sealed record CounterNoticeContent(string Statement, string SellerName, string SellerContact, IReadOnlyList<EvidenceContent> Evidence);

/// <summary>Tokens of sellers' links: 256 random bits, kept only as their SHA-256.</summary>
internal static class SellerTokens
{
    public static string Create() => "sl_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
