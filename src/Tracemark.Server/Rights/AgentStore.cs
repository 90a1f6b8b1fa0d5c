using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Core.Rights;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Rights;

/// <summary>A right as other records list it.</summary>
public sealed record RightRef(Guid Id, string Name, string? NameZh, string? Number, string Jurisdiction, string Type);

public sealed record AgentAuthorisationView(
    Guid Id,
    OrganisationRef Holder,
    OrganisationRef Agent,
    bool AllRights,
    IReadOnlyList<RightRef> Rights,
    DateOnly ValidFrom,
    DateOnly? ValidUntil,
    string? Note,
    bool InForce,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);

/// <summary>Authorisations the caller's organisation gave (as a holder) and received (as an agent).</summary>
public sealed record AgentAuthorisations(IReadOnlyList<AgentAuthorisationView> Given, IReadOnlyList<AgentAuthorisationView> Received);

/// <summary>
/// A holder authorises an agent for all its rights (which also lets the agent record new ones) or for some,
/// from a day to a day (UTC, both inclusive; no end: until revoked).
/// </summary>
public sealed record NewAgentAuthorisation(Guid? AgentId, bool? AllRights, IReadOnlyList<Guid>? RightIds, string? ValidFrom, string? ValidUntil, string? Note);

/// <summary>
/// Rights holders' authorisations of agents. Only the holder's administrators grant and revoke them
/// (row-level security); the agent reads those it received. Whether an agent may act for a right is
/// answered by <see cref="AgentChecks"/>, which the registry, complaints and customs all use.
/// </summary>
public sealed class AgentStore(Db db, TimeProvider clock, NotificationOutbox outbox)
{
    private const string Select = """
        SELECT a.id, a.holder_org_id, h.name_en AS holder_name_en, h.name_zh AS holder_name_zh, h.kind AS holder_kind,
               a.agent_org_id, g.name_en AS agent_name_en, g.name_zh AS agent_name_zh, g.kind AS agent_kind,
               a.all_rights, a.valid_from, a.valid_until, a.note, tm_authorisation_in_force(a, tm_now()) AS in_force, a.created_at, a.revoked_at
        FROM agent_authorisations a JOIN organisations h ON h.id = a.holder_org_id JOIN organisations g ON g.id = a.agent_org_id
        """;

    public async Task<AgentAuthorisations> ListAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = (await tx.QueryAsync<Row>(Select + " ORDER BY a.id DESC", cancellationToken: cancellationToken)).ToList();
        var views = new List<AgentAuthorisationView>();
        foreach (var row in rows)
        {
            views.Add(row.ToView(await RightsOfAsync(tx, row.Id, cancellationToken)));
        }

        await tx.CommitAsync(cancellationToken);
        var me = tx.Caller.OrganisationId;
        return new AgentAuthorisations(views.Where(v => v.Holder.Id == me).ToList(), views.Where(v => v.Agent.Id == me).ToList());
    }

    public async Task<AgentAuthorisationView> CreateAsync(NewAgentAuthorisation input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var from = Dates.Parse(rules, "validFrom", input.ValidFrom);
        var until = Dates.Parse(rules, "validUntil", input.ValidUntil);
        if (input.ValidFrom is null)
        {
            from = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        }

        if (from is { } f && until is { } u && u < f)
        {
            rules.Add("validUntil", "date.before", "validFrom", Dates.Format(f));
        }

        var note = rules.Optional("note", input.Note, 2000);
        var allRights = input.AllRights ?? false;
        var rightIds = (input.RightIds ?? []).Distinct().ToArray();
        if (!allRights && rightIds.Length == 0)
        {
            rules.Add("rightIds", "agent.rights_required");
        }
        else if (allRights && rightIds.Length > 0)
        {
            rules.Add("rightIds", "agent.rights_with_all");
        }

        if (input.AgentId is null)
        {
            rules.Add("agentId", "required");
        }

        await using var tx = await db.BeginAsync(cancellationToken);
        if (tx.Caller.OrganisationKind != OrganisationKind.RightsHolder)
        {
            throw new AccessDeniedException("agent.holders_only", "Only rights holders authorise agents.");
        }

        if (input.AgentId is { } agentId)
        {
            var kind = await tx.ExecuteScalarAsync<string>("SELECT kind FROM organisations WHERE id = @agentId AND is_active", new { agentId }, cancellationToken);
            if (kind is null)
            {
                rules.Add("agentId", "organisation.unknown");
            }
            else if (kind != OrganisationKind.Agent.ToWire())
            {
                rules.Add("agentId", "agent.not_an_agent");
            }
        }

        for (var i = 0; i < rightIds.Length; i++)
        {
            // The holder's own rights only: a right it cannot see, or sees but does not hold, is not its to delegate.
            var owned = await tx.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM rights WHERE id = @id AND owner_org_id = @me)", new { id = rightIds[i], me = tx.Caller.OrganisationId }, cancellationToken);
            if (!owned)
            {
                rules.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"rightIds[{i}]"), "agent.right_not_held");
            }
        }

        rules.ThrowIfAny();
        var id = Guid.CreateVersion7();
        await tx.ExecuteAsync(
            """
            INSERT INTO agent_authorisations (id, holder_org_id, agent_org_id, all_rights, valid_from, valid_until, note, created_by, created_at)
            VALUES (@id, @holder, @agent, @allRights, @from, @until, @note, @user, @now)
            """,
            new { id, holder = tx.Caller.OrganisationId, agent = input.AgentId, allRights, from, until, note, user = tx.Caller.UserId, now = clock.GetUtcNow() },
            cancellationToken);
        foreach (var rightId in rightIds)
        {
            await tx.ExecuteAsync("INSERT INTO agent_authorisation_rights (authorisation_id, right_id) VALUES (@id, @rightId)", new { id, rightId }, cancellationToken);
        }

        var created = await FindAsync(tx, id, cancellationToken);
        await tx.AuditAsync("agent.authorise", "agent_authorisation", id.ToString(), created.Holder.Id, after: created, cancellationToken: cancellationToken);
        await outbox.AddAsync(
            tx,
            new NewNotification(
                "agent.authorised",
                created.Agent.Id,
                new
                {
                    holder = $"{created.Holder.NameEn} / {created.Holder.NameZh}",
                    scope = allRights ? "all" : string.Join(", ", created.Rights.Select(r => r.Name)),
                    validFrom = Dates.Format(created.ValidFrom),
                    link = "/agents",
                },
                "agent_authorisation",
                id.ToString()),
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<AgentAuthorisationView> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await TryFindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("agent_authorisation", id.ToString());
        if (before.Holder.Id != tx.Caller.OrganisationId)
        {
            throw new AccessDeniedException("agent.not_holder", "Only the holder that gave an authorisation may revoke it.");
        }

        if (before.RevokedAt is not null)
        {
            await tx.CommitAsync(cancellationToken);
            return before;
        }

        await tx.ExecuteAsync("UPDATE agent_authorisations SET revoked_at = @now, revoked_by = @user WHERE id = @id", new { id, now = clock.GetUtcNow(), user = tx.Caller.UserId }, cancellationToken);
        var after = await FindAsync(tx, id, cancellationToken);
        await tx.AuditAsync("agent.revoke", "agent_authorisation", id.ToString(), after.Holder.Id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    /// <summary>Holders that authorised the caller for all their rights now: whom an agent may record rights for.</summary>
    public async Task<IReadOnlyList<OrganisationRef>> HoldersAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var holders = await tx.QueryAsync<OrganisationRef>(
            "SELECT id, name_en, name_zh, kind FROM organisations WHERE id = ANY (tm_acting_for_all()) ORDER BY name_en", cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return holders.ToList();
    }

    private static async Task<AgentAuthorisationView> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        await TryFindAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("An authorisation is not visible to its holder.");

    private static async Task<AgentAuthorisationView?> TryFindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<Row>(Select + " WHERE a.id = @id", new { id }, cancellationToken);
        return row?.ToView(await RightsOfAsync(tx, id, cancellationToken));
    }

    private static async Task<List<RightRef>> RightsOfAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        (await tx.QueryAsync<RightRef>(
            """
            SELECT r.id, r.name, r.name_zh, r.number, r.jurisdiction, r.type
            FROM agent_authorisation_rights ar JOIN rights r ON r.id = ar.right_id
            WHERE ar.authorisation_id = @id ORDER BY r.name
            """,
            new { id },
            cancellationToken)).ToList();

    private sealed record Row(
        Guid Id, Guid HolderOrgId, string HolderNameEn, string HolderNameZh, string HolderKind, Guid AgentOrgId, string AgentNameEn, string AgentNameZh,
        string AgentKind, bool AllRights, DateOnly ValidFrom, DateOnly? ValidUntil, string? Note, bool InForce, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
    {
        public AgentAuthorisationView ToView(IReadOnlyList<RightRef> rights) => new(
            Id, new OrganisationRef(HolderOrgId, HolderNameEn, HolderNameZh, HolderKind), new OrganisationRef(AgentOrgId, AgentNameEn, AgentNameZh, AgentKind),
            AllRights, rights, ValidFrom, ValidUntil, Note, InForce, CreatedAt, RevokedAt);
    }
}
