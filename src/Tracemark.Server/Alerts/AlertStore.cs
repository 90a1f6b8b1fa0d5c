using Tracemark.Core.Alerts;
using Tracemark.Core.Errors;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Alerts;

public sealed record AlertView(
    Guid Id,
    string Title,
    string Body,
    string? ProductCategory,
    string? RightsConcerned,
    IReadOnlyList<string> OriginCountries,
    IReadOnlyList<string> DestinationCountries,
    Severity Severity,
    Distribution Distribution,
    Guid? SharingGroupId,
    OrganisationRef Owner,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record NewAlert(
    string? Title,
    string? Body,
    string? ProductCategory,
    string? RightsConcerned,
    IReadOnlyList<string>? OriginCountries,
    IReadOnlyList<string>? DestinationCountries,
    Severity? Severity,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>A partial change: members left out (or null) stay as they are.</summary>
public sealed record AlertChange(
    string? Title,
    string? Body,
    string? ProductCategory,
    string? RightsConcerned,
    IReadOnlyList<string>? OriginCountries,
    IReadOnlyList<string>? DestinationCountries,
    Severity? Severity,
    Distribution? Distribution,
    Guid? SharingGroupId);

/// <summary>List filters as the query string gives them; parsed here so that a bad value is reported with its name.</summary>
public sealed record AlertFilter(string? Cursor, string? Limit, string? Severity, string? Category, string? Q, string? Mine, string? Distribution, string? Country);

/// <summary>
/// Alerts for the API and the pages alike. Visibility is not decided here: every query runs under
/// row-level security as the caller, so the SQL below never filters by organisation for reading.
/// </summary>
public sealed class AlertStore(Db db, TimeProvider clock)
{
    private const string Select = """
        SELECT a.id, a.title, a.body, a.product_category, a.rights_concerned, a.origin_countries, a.destination_countries,
               a.severity, a.distribution, a.sharing_group_id, a.owner_org_id, o.name_en AS owner_name_en, o.name_zh AS owner_name_zh,
               o.kind AS owner_kind, a.version, a.created_at, a.updated_at
        FROM alerts a JOIN organisations o ON o.id = a.owner_org_id
        """;

    public async Task<AlertView> CreateAsync(NewAlert input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var content = AlertRules.Validate(rules, input.Title, input.Body, input.ProductCategory, input.RightsConcerned, input.OriginCountries, input.DestinationCountries, input.Severity);
        var distribution = input.Distribution ?? Distribution.Organisation;
        await using var tx = await db.BeginAsync(cancellationToken);
        await CheckGroupAsync(tx, rules, distribution, input.SharingGroupId, cancellationToken);
        rules.ThrowIfAny();

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await tx.ExecuteAsync(
            """
            INSERT INTO alerts (id, owner_org_id, origin_node_id, distribution, sharing_group_id, title, body, product_category, rights_concerned,
                                origin_countries, destination_countries, severity, created_by, created_at, updated_at)
            VALUES (@id, @owner, (SELECT id FROM nodes WHERE is_local), @distribution, @group, @Title, @Body, @ProductCategory, @RightsConcerned,
                    @origin, @destination, @severity, @user, @now, @now)
            """,
            new
            {
                id,
                owner = tx.Caller.OrganisationId,
                distribution = distribution.ToWire(),
                group = input.SharingGroupId,
                content.Title,
                content.Body,
                content.ProductCategory,
                content.RightsConcerned,
                origin = content.OriginCountries.ToArray(),
                destination = content.DestinationCountries.ToArray(),
                severity = Wire(content.Severity),
                user = tx.Caller.UserId,
                now,
            },
            cancellationToken);
        var created = await FindAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("A created alert is not visible to its owner.");
        await tx.AuditAsync("alert.create", "alert", id.ToString(), created.Owner.Id, after: created, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return created;
    }

    public async Task<AlertView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var alert = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("alert", id.ToString());
        if (alert.Distribution != Distribution.Public)
        {
            await tx.AuditAsync("alert.read", "alert", id.ToString(), alert.Owner.Id, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return alert;
    }

    public async Task<Page<AlertView>> ListAsync(AlertFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var limit = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var severity = QueryValues.Enum<Severity>(rules, "severity", filter.Severity);
        var mine = QueryValues.Bool(rules, "mine", filter.Mine) ?? false;
        Distribution? level = null;
        if (filter.Distribution is not null)
        {
            if (Distributions.TryParse(filter.Distribution, out var parsed))
            {
                level = parsed;
            }
            else
            {
                rules.Add("distribution", "invalid_value");
            }
        }

        var after = Paging.DecodeId(rules, filter.Cursor);
        var country = filter.Country is null ? null : Core.Geography.Countries.Normalise(filter.Country);
        if (filter.Country is not null && country is null)
        {
            rules.Add("country", "country.unknown", filter.Country);
        }

        var q = rules.Optional("q", filter.Q, 200);
        var category = rules.Optional("category", filter.Category, AlertRules.CategoryMax);
        rules.ThrowIfAny();

        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<AlertRow>(
            Select + """

            WHERE (@after::uuid IS NULL OR a.id < @after)
              AND (@severity::text IS NULL OR a.severity = @severity)
              AND (@category::text IS NULL OR lower(a.product_category) = lower(@category))
              AND (@q::text IS NULL OR a.title ILIKE '%' || @q || '%' OR a.body ILIKE '%' || @q || '%')
              AND (NOT @mine OR a.owner_org_id = @organisation)
              AND (@distribution::text IS NULL OR a.distribution = @distribution)
              AND (@country::text IS NULL OR @country = ANY (a.origin_countries) OR @country = ANY (a.destination_countries))
            ORDER BY a.id DESC
            LIMIT @take
            """,
            new
            {
                after,
                severity = severity is { } s ? Wire(s) : null,
                category,
                q = q is null ? null : EscapeLike(q),
                mine,
                organisation = tx.Caller.OrganisationId,
                distribution = level?.ToWire(),
                country,
                take = limit + 1,
            },
            cancellationToken);
        var page = Paging.Build(rows.Select(r => r.ToView()).ToList(), limit, a => a.Id.ToString());
        var restricted = page.Items.Where(a => a.Distribution != Distribution.Public).Select(a => a.Id).ToList();
        if (restricted.Count > 0)
        {
            await tx.AuditAsync("alert.list", "alert", null, detail: new { ids = restricted }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return page;
    }

    public async Task<AlertView> ChangeAsync(Guid id, AlertChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var title = change.Title is null ? null : rules.Required("title", change.Title, AlertRules.TitleMax);
        var body = change.Body is null ? null : rules.Required("body", change.Body, AlertRules.BodyMax);
        var category = change.ProductCategory is null ? null : rules.Optional("productCategory", change.ProductCategory, AlertRules.CategoryMax) ?? "";
        var rights = change.RightsConcerned is null ? null : rules.Optional("rightsConcerned", change.RightsConcerned, AlertRules.RightsMax) ?? "";
        var origin = change.OriginCountries is null ? null : AlertRules.CountryList(rules, "originCountries", change.OriginCountries).ToArray();
        var destination = change.DestinationCountries is null ? null : AlertRules.CountryList(rules, "destinationCountries", change.DestinationCountries).ToArray();
        rules.ThrowIfAny();

        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("alert", id.ToString());
        if (before.Owner.Id != tx.Caller.OrganisationId)
        {
            throw new Core.Errors.AccessDeniedException("alert.not_owner", "Only the organisation that owns an alert may change it.");
        }

        var distribution = change.Distribution ?? before.Distribution;
        var group = change.Distribution is null && change.SharingGroupId is null ? before.SharingGroupId : change.SharingGroupId;
        if (distribution != before.Distribution || group != before.SharingGroupId)
        {
            await CheckGroupAsync(tx, rules, distribution, group, cancellationToken);
            rules.ThrowIfAny();
            var allLocal = before.SharingGroupId is { } oldGroup
                && await tx.ExecuteScalarAsync<bool>("SELECT tm_group_all_local(@oldGroup)", new { oldGroup }, cancellationToken);
            if (Distributions.CheckChange(before.Distribution, before.SharingGroupId, distribution, group, allLocal) == DistributionChange.Narrows)
            {
                throw new RuleViolationException(
                    "distribution.narrowing",
                    $"An alert shared at '{before.Distribution.ToWire()}' may not be narrowed to '{distribution.ToWire()}'.",
                    "distribution",
                    false,
                    before.Distribution.ToWire(),
                    distribution.ToWire());
            }
        }

        var nothingChanges = title is null && body is null && category is null && rights is null && origin is null && destination is null
            && change.Severity is null && distribution == before.Distribution && group == before.SharingGroupId;
        if (nothingChanges)
        {
            await tx.CommitAsync(cancellationToken);
            return before;
        }

        await tx.ExecuteAsync(
            """
            UPDATE alerts SET title = coalesce(@title, title), body = coalesce(@body, body),
                product_category = CASE WHEN @category::text IS NULL THEN product_category ELSE nullif(@category, '') END,
                rights_concerned = CASE WHEN @rights::text IS NULL THEN rights_concerned ELSE nullif(@rights, '') END,
                origin_countries = coalesce(@origin, origin_countries), destination_countries = coalesce(@destination, destination_countries),
                severity = coalesce(@severity, severity), distribution = @distribution, sharing_group_id = @group,
                version = version + 1, updated_at = @now
            WHERE id = @id
            """,
            new
            {
                id,
                title,
                body,
                category,
                rights,
                origin,
                destination,
                severity = change.Severity is { } s ? Wire(s) : null,
                distribution = distribution.ToWire(),
                group = distribution == Distribution.Group ? group : null,
                now = clock.GetUtcNow(),
            },
            cancellationToken);
        var after = await FindAsync(tx, id, cancellationToken) ?? throw new InvalidOperationException("A changed alert is not visible to its owner.");
        await tx.AuditAsync(distribution != before.Distribution ? "alert.widen" : "alert.change", "alert", id.ToString(), after.Owner.Id, before, after, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    private static async Task CheckGroupAsync(DbTx tx, FieldRules rules, Distribution distribution, Guid? group, CancellationToken cancellationToken)
    {
        if (distribution != Distribution.Group)
        {
            if (group is not null)
            {
                rules.Add("sharingGroupId", "group.not_allowed");
            }

            return;
        }

        if (group is null)
        {
            rules.Add("sharingGroupId", "group.required");
            return;
        }

        // Visible under row-level security means: the caller's organisation owns the group or is a member.
        if (!await tx.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM sharing_groups WHERE id = @group)", new { group }, cancellationToken))
        {
            rules.Add("sharingGroupId", "group.unknown");
        }
    }

    private static async Task<AlertView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken) =>
        (await tx.QuerySingleOrDefaultAsync<AlertRow>(Select + " WHERE a.id = @id", new { id }, cancellationToken))?.ToView();

    private static string Wire(Severity severity) => severity.ToString().ToLowerInvariant();

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private sealed record AlertRow(
        Guid Id, string Title, string Body, string? ProductCategory, string? RightsConcerned, string[] OriginCountries, string[] DestinationCountries,
        string Severity, string Distribution, Guid? SharingGroupId, Guid OwnerOrgId, string OwnerNameEn, string OwnerNameZh, string OwnerKind,
        int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public AlertView ToView() => new(
            Id, Title, Body, ProductCategory, RightsConcerned, OriginCountries, DestinationCountries,
            Enum.Parse<Severity>(Severity, ignoreCase: true), Distributions.Parse(Distribution), SharingGroupId,
            new OrganisationRef(OwnerOrgId, OwnerNameEn, OwnerNameZh, OwnerKind), Version, CreatedAt, UpdatedAt);
    }
}
