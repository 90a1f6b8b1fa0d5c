using Npgsql;
using Tracemark.Core.Errors;
using Tracemark.Core.Geography;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Organisations;

public sealed record OrganisationView(Guid Id, string Kind, string NameEn, string NameZh, string Country, Guid NodeId, string NodeCode, bool IsLocal, bool IsActive);

public sealed record NewOrganisation(OrganisationKind? Kind, string? NameEn, string? NameZh, string? Country, Guid? NodeId);

public sealed record OrganisationChange(string? NameEn, string? NameZh, string? Country, bool? IsActive);

/// <summary>The directory of organisations: read by everyone signed in, changed by the platform administrator only (row-level security).</summary>
public sealed class OrganisationStore(Db db, TimeProvider clock)
{
    private const string Select = """
        SELECT o.id, o.kind, o.name_en, o.name_zh, o.country, o.node_id, n.code AS node_code, n.is_local, o.is_active
        FROM organisations o JOIN nodes n ON n.id = o.node_id
        """;

    public async Task<IReadOnlyList<OrganisationView>> ListAsync(string? kind, string? q, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (kind is not null && !OrganisationKinds.TryParse(kind, out _))
        {
            rules.Add("kind", "invalid_value");
        }

        var text = rules.Optional("q", q, 200);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<OrganisationView>(
            Select + """

            WHERE (@kind::text IS NULL OR o.kind = @kind)
              AND (@text::text IS NULL OR o.name_en ILIKE '%' || @text || '%' OR o.name_zh LIKE '%' || @text || '%')
            ORDER BY n.is_local DESC, o.name_en
            """,
            new { kind, text },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.ToList();
    }

    public async Task<OrganisationView> CreateAsync(NewOrganisation input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (input.Kind is null)
        {
            rules.Add("kind", "required");
        }

        var nameEn = rules.Required("nameEn", input.NameEn, 200);
        var nameZh = rules.Required("nameZh", input.NameZh, 200);
        var country = Countries.Normalise(input.Country);
        if (string.IsNullOrWhiteSpace(input.Country))
        {
            rules.Add("country", "required");
        }
        else if (country is null)
        {
            rules.Add("country", "country.unknown", input.Country);
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var node = input.NodeId ?? await tx.QuerySingleAsync<Guid>("SELECT id FROM nodes WHERE is_local", cancellationToken: cancellationToken);
        if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM nodes WHERE id = @node)", new { node }, cancellationToken))
        {
            throw new InputValidationException("nodeId", "node.unknown");
        }

        var id = Guid.CreateVersion7();
        try
        {
            await tx.ExecuteAsync(
                "INSERT INTO organisations (id, node_id, kind, name_en, name_zh, country, created_at, updated_at) VALUES (@id, @node, @kind, @nameEn, @nameZh, @country, @now, @now)",
                new { id, node, kind = input.Kind!.Value.ToWire(), nameEn, nameZh, country, now = clock.GetUtcNow() },
                cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InputValidationException("nameEn", "organisation.name_taken", nameEn);
        }

        var created = (await tx.QuerySingleOrDefaultAsync<OrganisationView>(Select + " WHERE o.id = @id", new { id }, cancellationToken))!;
        await tx.AuditAsync("organisation.create", "organisation", id.ToString(), id, after: created, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<OrganisationView> ChangeAsync(Guid id, OrganisationChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var nameEn = change.NameEn is null ? null : rules.Required("nameEn", change.NameEn, 200);
        var nameZh = change.NameZh is null ? null : rules.Required("nameZh", change.NameZh, 200);
        var country = change.Country is null ? null : Countries.Normalise(change.Country);
        if (change.Country is not null && country is null)
        {
            rules.Add("country", "country.unknown", change.Country);
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await tx.QuerySingleOrDefaultAsync<OrganisationView>(Select + " WHERE o.id = @id", new { id }, cancellationToken)
            ?? throw new RecordNotFoundException("organisation", id.ToString());
        if (change.IsActive == false && id == tx.Caller.OrganisationId)
        {
            throw new RuleViolationException("organisation.self_deactivation", "The platform administrator's own organisation stays active.", "isActive");
        }

        await tx.ExecuteAsync(
            """
            UPDATE organisations SET name_en = coalesce(@nameEn, name_en), name_zh = coalesce(@nameZh, name_zh), country = coalesce(@country, country),
                is_active = coalesce(@isActive, is_active), updated_at = @now
            WHERE id = @id
            """,
            new { id, nameEn, nameZh, country, change.IsActive, now = clock.GetUtcNow() },
            cancellationToken);
        var after = (await tx.QuerySingleOrDefaultAsync<OrganisationView>(Select + " WHERE o.id = @id", new { id }, cancellationToken))!;
        await tx.AuditAsync("organisation.change", "organisation", id.ToString(), id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }
}
