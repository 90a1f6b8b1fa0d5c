using Npgsql;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Sharing;

public sealed record SharingGroupView(
    Guid Id,
    string Name,
    string Description,
    string MemberListVisibility,
    OrganisationRef Owner,
    bool OwnedByCaller,
    bool MembersVisible,
    IReadOnlyList<OrganisationRef> Members,
    DateTimeOffset CreatedAt);

public sealed record NewSharingGroup(string? Name, string? Description, string? MemberListVisibility, IReadOnlyList<Guid>? Members);

public sealed record SharingGroupChange(string? Name, string? Description, string? MemberListVisibility);

/// <summary>
/// Named sharing groups of organisations. Row-level security decides who sees a group (its owner and
/// members) and its member list (the owner; members too when the owner lists them); only the owner's
/// administrators change it.
/// </summary>
public sealed class SharingGroupStore(Db db, TimeProvider clock)
{
    public async Task<IReadOnlyList<SharingGroupView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var ids = await tx.QueryAsync<Guid>("SELECT id FROM sharing_groups ORDER BY lower(name)", cancellationToken: cancellationToken);
        var groups = new List<SharingGroupView>();
        foreach (var id in ids)
        {
            groups.Add((await FindAsync(tx, id, cancellationToken))!);
        }

        await tx.CommitAsync(cancellationToken);
        return groups;
    }

    public async Task<SharingGroupView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var group = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("sharing_group", id.ToString());
        await tx.CommitAsync(cancellationToken);
        return group;
    }

    public async Task<SharingGroupView> CreateAsync(NewSharingGroup input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var name = rules.Required("name", input.Name, 200);
        var description = rules.Optional("description", input.Description, 2000) ?? "";
        var visibility = Visibility(rules, input.MemberListVisibility) ?? "members";
        rules.ThrowIfAny();

        await using var tx = await db.BeginAsync(cancellationToken);
        var owner = tx.Caller.OrganisationId!.Value;
        var id = Guid.CreateVersion7();
        try
        {
            await tx.ExecuteAsync(
                "INSERT INTO sharing_groups (id, owner_org_id, name, description, member_list_visibility, created_at, updated_at) VALUES (@id, @owner, @name, @description, @visibility, @now, @now)",
                new { id, owner, name, description, visibility, now = clock.GetUtcNow() },
                cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InputValidationException("name", "group.name_taken", name);
        }

        var members = (input.Members ?? []).Append(owner).Distinct().ToList();
        var unknown = await UnknownOrganisationsAsync(tx, members, cancellationToken);
        if (unknown.Count > 0)
        {
            throw new InputValidationException([.. unknown.Select(u => new FieldError($"members[{members.IndexOf(u).ToString(System.Globalization.CultureInfo.InvariantCulture)}]", "organisation.unknown", u.ToString()))]);
        }

        foreach (var member in members)
        {
            await tx.ExecuteAsync("INSERT INTO sharing_group_members (group_id, organisation_id) VALUES (@id, @member)", new { id, member }, cancellationToken);
        }

        var created = (await FindAsync(tx, id, cancellationToken))!;
        await tx.AuditAsync("sharing_group.create", "sharing_group", id.ToString(), owner, after: created, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<SharingGroupView> ChangeAsync(Guid id, SharingGroupChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var name = change.Name is null ? null : rules.Required("name", change.Name, 200);
        var description = change.Description is null ? null : rules.Optional("description", change.Description, 2000) ?? "";
        var visibility = Visibility(rules, change.MemberListVisibility);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await OwnedAsync(tx, id, cancellationToken);
        await tx.ExecuteAsync(
            """
            UPDATE sharing_groups SET name = coalesce(@name, name), description = coalesce(@description, description),
                member_list_visibility = coalesce(@visibility, member_list_visibility), updated_at = @now
            WHERE id = @id
            """,
            new { id, name, description, visibility, now = clock.GetUtcNow() },
            cancellationToken);
        var after = (await FindAsync(tx, id, cancellationToken))!;
        await tx.AuditAsync("sharing_group.change", "sharing_group", id.ToString(), after.Owner.Id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    public async Task AddMemberAsync(Guid id, Guid organisationId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var group = await OwnedAsync(tx, id, cancellationToken);
        if ((await UnknownOrganisationsAsync(tx, [organisationId], cancellationToken)).Count > 0)
        {
            throw new RecordNotFoundException("organisation", organisationId.ToString());
        }

        var added = await tx.ExecuteAsync(
            "INSERT INTO sharing_group_members (group_id, organisation_id) VALUES (@id, @organisationId) ON CONFLICT DO NOTHING",
            new { id, organisationId },
            cancellationToken);
        if (added > 0)
        {
            await tx.AuditAsync("sharing_group.add_member", "sharing_group", id.ToString(), group.Owner.Id, detail: new { organisationId }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task RemoveMemberAsync(Guid id, Guid organisationId, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var group = await OwnedAsync(tx, id, cancellationToken);
        if (organisationId == group.Owner.Id)
        {
            throw new RuleViolationException("group.owner_stays", "The owner of a sharing group stays a member of it.", "organisationId");
        }

        var removed = await tx.ExecuteAsync("DELETE FROM sharing_group_members WHERE group_id = @id AND organisation_id = @organisationId", new { id, organisationId }, cancellationToken);
        if (removed > 0)
        {
            await tx.AuditAsync("sharing_group.remove_member", "sharing_group", id.ToString(), group.Owner.Id, detail: new { organisationId }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The group, when the caller's organisation owns it; a member gets 403, a stranger 404.</summary>
    private static async Task<SharingGroupView> OwnedAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var group = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("sharing_group", id.ToString());
        return group.OwnedByCaller ? group : throw new AccessDeniedException("group.not_owner", "Only the organisation that owns a sharing group may change it.");
    }

    private static async Task<SharingGroupView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<GroupRow>(
            """
            SELECT g.id, g.name, g.description, g.member_list_visibility, g.owner_org_id, o.name_en AS owner_name_en, o.name_zh AS owner_name_zh,
                   o.kind AS owner_kind, g.created_at
            FROM sharing_groups g JOIN organisations o ON o.id = g.owner_org_id WHERE g.id = @id
            """,
            new { id },
            cancellationToken);
        if (row is null)
        {
            return null;
        }

        var members = await tx.QueryAsync<OrganisationRef>(
            """
            SELECT o.id, o.name_en, o.name_zh, o.kind FROM sharing_group_members m JOIN organisations o ON o.id = m.organisation_id
            WHERE m.group_id = @id ORDER BY o.name_en
            """,
            new { id },
            cancellationToken);
        var owned = row.OwnerOrgId == tx.Caller.OrganisationId;
        return new SharingGroupView(
            row.Id,
            row.Name,
            row.Description,
            row.MemberListVisibility,
            new OrganisationRef(row.OwnerOrgId, row.OwnerNameEn, row.OwnerNameZh, row.OwnerKind),
            owned,
            owned || string.Equals(row.MemberListVisibility, "members", StringComparison.Ordinal),
            members.ToList(),
            row.CreatedAt);
    }

    private static async Task<List<Guid>> UnknownOrganisationsAsync(DbTx tx, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        var known = (await tx.QueryAsync<Guid>("SELECT id FROM organisations WHERE id = ANY (@ids) AND is_active", new { ids = ids.ToArray() }, cancellationToken)).ToHashSet();
        return ids.Where(i => !known.Contains(i)).ToList();
    }

    private static string? Visibility(FieldRules rules, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value is "members" or "owner")
        {
            return value;
        }

        rules.Add("memberListVisibility", "invalid_value");
        return null;
    }

    private sealed record GroupRow(Guid Id, string Name, string Description, string MemberListVisibility, Guid OwnerOrgId, string OwnerNameEn, string OwnerNameZh, string OwnerKind, DateTimeOffset CreatedAt);
}
