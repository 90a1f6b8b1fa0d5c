using System.Globalization;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Core.Rights;
using Tracemark.Core.Sharing;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Rights;

public sealed record RecordationView(
    Guid Id,
    RecordationKind Kind,
    string Jurisdiction,
    string? Reference,
    IReadOnlyList<string> Authorities,
    IReadOnlyList<OrganisationRef> AuthorityOrganisations,
    string Goods,
    RecordationStatus Status,
    DateOnly? Filed,
    DateOnly? ValidFrom,
    DateOnly? ValidUntil,
    IReadOnlyList<RightRef> Rights,
    OrganisationRef Owner,
    OrganisationRef RecordedBy,
    Distribution Distribution,
    Guid? SharingGroupId,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record NewRecordation(
    RecordationKind? Kind,
    IReadOnlyList<Guid>? RightIds,
    string? Jurisdiction,
    string? Reference,
    IReadOnlyList<string>? Authorities,
    IReadOnlyList<Guid>? AuthorityOrgIds,
    string? Goods,
    RecordationStatus? Status,
    string? Filed,
    string? ValidFrom,
    string? ValidUntil,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>A change (a grant, a renewal with a new validUntil, a rejection): members left out stay as they are.</summary>
public sealed record RecordationChange(
    IReadOnlyList<Guid>? RightIds,
    string? Reference,
    IReadOnlyList<string>? Authorities,
    IReadOnlyList<Guid>? AuthorityOrgIds,
    string? Goods,
    RecordationStatus? Status,
    string? Filed,
    string? ValidFrom,
    string? ValidUntil,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>
/// Customs recordations and applications for action. Shared records (default: the whole node, since customs
/// officers must find them), written by the holder or an agent authorised for all its rights.
/// </summary>
public sealed class RecordationStore(Db db, TimeProvider clock)
{
    private const string Select = """
        SELECT c.id, c.kind, c.jurisdiction, c.reference, c.authorities, c.authority_org_ids, c.goods, c.status, c.filed_on, c.valid_from, c.valid_until,
               c.owner_org_id, o.name_en AS owner_name_en, o.name_zh AS owner_name_zh, o.kind AS owner_kind,
               c.recorded_by_org_id, b.name_en AS recorder_name_en, b.name_zh AS recorder_name_zh, b.kind AS recorder_kind,
               c.distribution, c.sharing_group_id, c.version, c.created_at, c.updated_at
        FROM recordations c JOIN organisations o ON o.id = c.owner_org_id JOIN organisations b ON b.id = c.recorded_by_org_id
        """;

    public async Task<RecordationView> CreateAsync(NewRecordation input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var status = input.Status ?? RecordationStatus.Submitted;
        var dates = RecordationRules.Dates(rules, input.Filed, input.ValidFrom, input.ValidUntil, status);
        var jurisdiction = Jurisdiction(rules, input.Jurisdiction);
        var goods = rules.Required("goods", input.Goods, RecordationRules.GoodsMax);
        var reference = rules.Optional("reference", input.Reference, RecordationRules.ReferenceMax);
        var authorities = GuideRules.Texts(rules, "authorities", input.Authorities);
        var distribution = input.Distribution ?? Distribution.Node;
        await using var tx = await db.BeginAsync(cancellationToken);
        var owner = await AgentChecks.HolderOfRightsAsync(tx, rules, input.RightIds, NotHolder(), cancellationToken);
        var authorityIds = await AuthorityOrganisationsAsync(tx, rules, input.AuthorityOrgIds, cancellationToken);
        await DistributionGuard.CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
        rules.ThrowIfAny();

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await tx.ExecuteAsync(
            """
            INSERT INTO recordations (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, sharing_group_id, kind, jurisdiction, reference,
                                      authorities, authority_org_ids, goods, status, filed_on, valid_from, valid_until, created_by, created_at, updated_at)
            VALUES (@id, @owner, @recorder, (SELECT id FROM nodes WHERE is_local), @distribution, @group, @kind, @jurisdiction, @reference,
                    @authorities, @authorityIds, @goods, @status, @Filed, @ValidFrom, @ValidUntil, @user, @now, @now)
            """,
            new
            {
                id,
                owner,
                recorder = tx.Caller.OrganisationId,
                distribution = distribution.ToWire(),
                group = input.SharingGroupId,
                kind = (input.Kind ?? RecordationKind.Recordation).ToWire(),
                jurisdiction,
                reference,
                authorities = authorities.ToArray(),
                authorityIds,
                goods,
                status = status.ToWire(),
                dates.Filed,
                dates.ValidFrom,
                dates.ValidUntil,
                user = tx.Caller.UserId,
                now,
            },
            cancellationToken);
        await ReplaceRightsAsync(tx, id, input.RightIds!, cancellationToken);
        var created = (await FindAsync(tx, id, cancellationToken))!;
        await tx.AuditAsync("recordation.create", "recordation", id.ToString(), owner, after: created, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<RecordationView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var recordation = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("recordation", id.ToString());
        if (recordation.Distribution != Distribution.Public)
        {
            await tx.AuditAsync("recordation.read", "recordation", id.ToString(), recordation.Owner.Id, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return recordation;
    }

    /// <summary>Recordations the caller may see: of one right, in one status, or expiring before a date; soonest expiry first.</summary>
    public async Task<IReadOnlyList<RecordationView>> ListAsync(string? rightId, string? status, string? expiringBefore, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var right = QueryValues.Id(rules, "rightId", rightId);
        var state = QueryValues.Enum<RecordationStatus>(rules, "status", status);
        var before = Dates.Parse(rules, "expiringBefore", expiringBefore);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var ids = await tx.QueryAsync<Guid>(
            """
            SELECT c.id FROM recordations c
            WHERE (@right::uuid IS NULL OR EXISTS (SELECT 1 FROM recordation_rights rr WHERE rr.recordation_id = c.id AND rr.right_id = @right))
              AND (@state::text IS NULL OR c.status = @state)
              AND (@before::date IS NULL OR c.valid_until < @before)
            ORDER BY c.valid_until NULLS LAST, c.id DESC
            LIMIT 200
            """,
            new { right, state = state?.ToWire(), before },
            cancellationToken);
        var list = new List<RecordationView>();
        foreach (var id in ids)
        {
            list.Add((await FindAsync(tx, id, cancellationToken))!);
        }

        var restricted = list.Where(r => r.Distribution != Distribution.Public).Select(r => r.Id).ToList();
        if (restricted.Count > 0)
        {
            await tx.AuditAsync("recordation.list", "recordation", null, detail: new { ids = restricted }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return list;
    }

    public async Task<RecordationView> ChangeAsync(Guid id, RecordationChange change, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("recordation", id.ToString());
        if (!await tx.ExecuteScalarAsync<bool>("SELECT tm_may_change_recordation(@id)", new { id }, cancellationToken))
        {
            throw NotHolder();
        }

        var rules = new FieldRules();
        var status = change.Status ?? before.Status;
        var dates = RecordationRules.Dates(rules, change.Filed ?? Format(before.Filed), change.ValidFrom ?? Format(before.ValidFrom), change.ValidUntil ?? Format(before.ValidUntil), status);
        var goods = rules.Required("goods", change.Goods ?? before.Goods, RecordationRules.GoodsMax);
        var reference = rules.Optional("reference", change.Reference ?? before.Reference, RecordationRules.ReferenceMax);
        var authorities = GuideRules.Texts(rules, "authorities", change.Authorities ?? before.Authorities);
        var authorityIds = change.AuthorityOrgIds is null ? before.AuthorityOrganisations.Select(a => a.Id).ToArray() : await AuthorityOrganisationsAsync(tx, rules, change.AuthorityOrgIds, cancellationToken);
        if (change.RightIds is not null && await AgentChecks.HolderOfRightsAsync(tx, rules, change.RightIds, NotHolder(), cancellationToken) != before.Owner.Id && !rules.HasErrors)
        {
            rules.Add("rightIds", "guide.rights_of_another_holder");
        }

        var distribution = change.Distribution ?? before.Distribution;
        var group = change.Distribution is null && change.SharingGroupId is null ? before.SharingGroupId : change.SharingGroupId;
        if (distribution != before.Distribution || group != before.SharingGroupId)
        {
            await DistributionGuard.CheckGroupAsync(tx, rules, distribution, group, cancellationToken);
            rules.ThrowIfAny();
            await DistributionGuard.CheckWidenOnlyAsync(tx, before.Distribution, before.SharingGroupId, distribution, group, cancellationToken);
        }

        rules.ThrowIfAny();
        await tx.ExecuteAsync(
            """
            UPDATE recordations SET reference = @reference, authorities = @authorities, authority_org_ids = @authorityIds, goods = @goods, status = @status,
                filed_on = @Filed, valid_from = @ValidFrom, valid_until = @ValidUntil, distribution = @distribution, sharing_group_id = @group,
                version = version + 1, updated_at = @now
            WHERE id = @id
            """,
            new
            {
                id,
                reference,
                authorities = authorities.ToArray(),
                authorityIds,
                goods,
                status = status.ToWire(),
                dates.Filed,
                dates.ValidFrom,
                dates.ValidUntil,
                distribution = distribution.ToWire(),
                group = distribution == Distribution.Group ? group : null,
                now = clock.GetUtcNow(),
            },
            cancellationToken);
        if (change.RightIds is not null)
        {
            await ReplaceRightsAsync(tx, id, change.RightIds, cancellationToken);
        }

        var after = (await FindAsync(tx, id, cancellationToken))!;
        var action = before.ValidUntil != after.ValidUntil && after.ValidUntil > before.ValidUntil ? "recordation.renew" : "recordation.change";
        await tx.AuditAsync(action, "recordation", id.ToString(), after.Owner.Id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    private static AccessDeniedException NotHolder() => new("recordation.not_holder", "Only the holder, or an agent authorised for all its rights, changes its recordations.");

    private static string? Format(DateOnly? date) => date is { } d ? Dates.Format(d) : null;

    private static string? Jurisdiction(FieldRules rules, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            rules.Add("jurisdiction", "required");
            return null;
        }

        var code = Jurisdictions.Normalise(text);
        if (code is null)
        {
            rules.Add("jurisdiction", "right.jurisdiction_unknown", text.Trim());
        }

        return code;
    }

    /// <summary>Customs authorities on this platform that an application names: customs offices here or abroad.</summary>
    private static async Task<Guid[]> AuthorityOrganisationsAsync(DbTx tx, FieldRules rules, IReadOnlyList<Guid>? ids, CancellationToken cancellationToken)
    {
        var result = new List<Guid>();
        for (var i = 0; i < (ids?.Count ?? 0); i++)
        {
            var kind = await tx.ExecuteScalarAsync<string>("SELECT kind FROM organisations WHERE id = @id", new { id = ids![i] }, cancellationToken);
            if (kind is null)
            {
                rules.Add(string.Create(CultureInfo.InvariantCulture, $"authorityOrgIds[{i}]"), "organisation.unknown");
            }
            else if (kind != OrganisationKind.Customs.ToWire() && kind != OrganisationKind.ForeignPartner.ToWire())
            {
                rules.Add(string.Create(CultureInfo.InvariantCulture, $"authorityOrgIds[{i}]"), "recordation.not_customs");
            }
            else if (!result.Contains(ids[i]))
            {
                result.Add(ids[i]);
            }
        }

        return [.. result];
    }

    private static async Task ReplaceRightsAsync(DbTx tx, Guid id, IReadOnlyList<Guid> rightIds, CancellationToken cancellationToken)
    {
        await tx.ExecuteAsync("DELETE FROM recordation_rights WHERE recordation_id = @id", new { id }, cancellationToken);
        await tx.ExecuteAsync(
            "INSERT INTO recordation_rights (recordation_id, right_id) SELECT @id, unnest(@rights) ON CONFLICT DO NOTHING",
            new { id, rights = rightIds.Distinct().ToArray() },
            cancellationToken);
    }

    private static async Task<RecordationView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<Row>(Select + " WHERE c.id = @id", new { id }, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var rights = (await tx.QueryAsync<RightRef>(
            """
            SELECT r.id, r.name, r.name_zh, r.number, r.jurisdiction, r.type FROM recordation_rights rr JOIN rights r ON r.id = rr.right_id
            WHERE rr.recordation_id = @id ORDER BY r.name
            """,
            new { id },
            cancellationToken)).ToList();
        var authorities = (await tx.QueryAsync<OrganisationRef>(
            "SELECT id, name_en, name_zh, kind FROM organisations WHERE id = ANY (@ids) ORDER BY name_en", new { ids = row.AuthorityOrgIds }, cancellationToken)).ToList();
        return row.ToView(rights, authorities);
    }

    private sealed record Row(
        Guid Id, string Kind, string Jurisdiction, string? Reference, string[] Authorities, Guid[] AuthorityOrgIds, string Goods, string Status,
        DateOnly? FiledOn, DateOnly? ValidFrom, DateOnly? ValidUntil, Guid OwnerOrgId, string OwnerNameEn, string OwnerNameZh, string OwnerKind,
        Guid RecordedByOrgId, string RecorderNameEn, string RecorderNameZh, string RecorderKind, string Distribution, Guid? SharingGroupId,
        int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public RecordationView ToView(IReadOnlyList<RightRef> rights, IReadOnlyList<OrganisationRef> authorities) => new(
            Id, RecordationRules.ParseKind(Kind), Jurisdiction, Reference, Authorities, authorities, Goods, RecordationRules.ParseStatus(Status),
            FiledOn, ValidFrom, ValidUntil, rights,
            new OrganisationRef(OwnerOrgId, OwnerNameEn, OwnerNameZh, OwnerKind),
            new OrganisationRef(RecordedByOrgId, RecorderNameEn, RecorderNameZh, RecorderKind),
            Distributions.Parse(Distribution), SharingGroupId, Version, CreatedAt, UpdatedAt);
    }
}

/// <summary>
/// Renewal reminders: 30 days before a granted recordation expires, its holder (and the agent that
/// recorded it) get one in-app notification, exactly once per recordation and expiry date (a renewal
/// moves the date, and earns a new reminder). A recordation past its date is marked expired, audited.
/// </summary>
public sealed class RecordationReminders(NotificationOutbox outbox) : IReminderSource
{
    public string Name => "recordation renewal reminders";

    public async Task<int> CreateDueAsync(DbTx system, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var created = 0;
        var due = await system.QueryAsync<Due>(
            """
            SELECT c.id, c.owner_org_id, c.recorded_by_org_id, coalesce(c.reference, '—') AS reference, c.jurisdiction, c.valid_until,
                   (SELECT coalesce(string_agg(r.name, ', ' ORDER BY r.name), '') FROM recordation_rights rr JOIN rights r ON r.id = rr.right_id WHERE rr.recordation_id = c.id) AS rights,
                   c.valid_until < @today AS expired
            FROM recordations c
            WHERE c.status = 'granted' AND c.valid_until IS NOT NULL AND c.valid_until - @days <= @today
            """,
            new { today, days = RecordationRules.ReminderDays },
            cancellationToken);
        foreach (var recordation in due)
        {
            var kind = recordation.Expired ? "recordation.expired" : "recordation.expiring";
            var payload = new
            {
                reference = recordation.Reference,
                jurisdiction = recordation.Jurisdiction,
                rights = recordation.Rights,
                validUntil = Dates.Format(recordation.ValidUntil),
                link = $"/recordations/{recordation.Id}",
            };
            foreach (var recipient in new[] { recordation.OwnerOrgId, recordation.RecordedByOrgId }.Distinct())
            {
                var key = string.Create(CultureInfo.InvariantCulture, $"{kind}:{recordation.Id}:{Dates.Format(recordation.ValidUntil)}:{recipient}");
                if (await outbox.AddAsync(system, new NewNotification(kind, recipient, payload, "recordation", recordation.Id.ToString(), DedupeKey: key), cancellationToken))
                {
                    created++;
                }
            }

            if (recordation.Expired)
            {
                await system.ExecuteAsync(
                    "UPDATE recordations SET status = 'expired', version = version + 1, updated_at = @now WHERE id = @Id AND status = 'granted'",
                    new { now, recordation.Id },
                    cancellationToken);
                await system.AuditAsync("recordation.expire", "recordation", recordation.Id.ToString(), recordation.OwnerOrgId,
                    new { status = "granted" }, new { status = "expired" }, cancellationToken: cancellationToken);
            }
        }

        return created;
    }

    private sealed record Due(Guid Id, Guid OwnerOrgId, Guid RecordedByOrgId, string Reference, string Jurisdiction, DateOnly ValidUntil, string Rights, bool Expired);
}
