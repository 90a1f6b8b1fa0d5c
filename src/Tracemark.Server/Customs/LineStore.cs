using System.Globalization;
using System.Text.Json;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Customs;

/// <summary>A declaration line as officers see it: what was declared, its risk score and the reasons in the reader's language.</summary>
public sealed record LineView(
    Guid Id,
    string DeclarationNumber,
    int Line,
    DateOnly Date,
    string Mode,
    string? Importer,
    string? Exporter,
    string? Consignor,
    string? Consignee,
    string Origin,
    string Destination,
    string Port,
    string HsCode,
    string Description,
    string? Brand,
    decimal Quantity,
    string Unit,
    decimal Value,
    string Currency,
    decimal UnitValue,
    decimal? GrossKg,
    IReadOnlyList<string> ContainerIds,
    IReadOnlyList<string> ParcelIds,
    int RiskScore,
    IReadOnlyList<ReasonView> Reasons,
    IReadOnlyList<Guid> RightIds,
    IReadOnlyList<OrganisationRef> Holders,
    string ReviewState,
    string? ReviewNote,
    Guid ImportId);

/// <summary>Work-list filters as the query string gives them.</summary>
public sealed record WorklistFilter(string? Port, string? MinScore, string? Cursor, string? Limit);

public sealed record LineDismissal(string? Note);

/// <summary>
/// Declaration lines and the officers' work list: open lines with a risk score, riskiest first. The list reads a
/// partial index of flagged open lines only, walked backwards from the highest score, so it costs the same at ten
/// million stored lines as at a thousand. Lines are the customs organisation's own (row-level security).
/// </summary>
public sealed class LineStore(Db db, CustomsWords words, TimeProvider clock)
{
    private const string Select = """
        SELECT id, declaration_number, line_no, declared_on, transport_mode, importer, exporter, consignor, consignee, origin, destination, port,
               hs_code, description, brand, quantity, unit, value, currency, gross_kg, container_ids, parcel_ids, risk_score, reasons::text AS reasons,
               right_ids, holder_org_ids, review_state, review_note, import_id
        FROM customs_lines
        """;

    public async Task<Page<LineView>> WorklistAsync(WorklistFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var minScore = QueryValues.Number(rules, "minScore", filter.MinScore);
        if (minScore is < 1 or > 100)
        {
            rules.Add("minScore", "out_of_range", 1, 100);
        }

        var port = string.IsNullOrWhiteSpace(filter.Port) ? null : filter.Port.Trim().Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        (int Score, Guid Id)? after = null;
        if (Paging.Decode(rules, filter.Cursor) is { } position)
        {
            var parts = position.Split(':');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var score) && Guid.TryParse(parts[1], out var id))
            {
                after = (score, id);
            }
            else
            {
                rules.Add("cursor", "cursor.invalid");
            }
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        CustomsAccess.RequireCustoms(tx.Caller);

        // Written out per filter (not "@port IS NULL OR …") so that the planner picks the matching partial index.
        var sql = Select + """

            WHERE owner_org_id = @org AND review_state = 'open' AND risk_score > 0
            """
            + (port is null ? "" : " AND port = @port")
            + (minScore is null ? "" : " AND risk_score >= @minScore")
            + (after is null ? "" : " AND (risk_score, id) < (@score, @id)")
            + " ORDER BY risk_score DESC, id DESC LIMIT @take";
        var rows = (await tx.QueryAsync<LineRow>(
            sql,
            new { org = tx.Caller.OrganisationId, port, minScore, score = after?.Score ?? 0, id = after?.Id ?? Guid.Empty, take = take + 1 },
            cancellationToken)).ToList();
        var views = await ViewsAsync(tx, rows, cancellationToken);
        var page = Paging.Build(views, take, v => string.Create(CultureInfo.InvariantCulture, $"{v.RiskScore}:{v.Id}"));
        if (page.Items.Count > 0)
        {
            await tx.AuditAsync("customs.worklist.read", "customs_line", null, tx.Caller.OrganisationId, detail: new { ids = page.Items.Select(i => i.Id) }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return page;
    }

    public async Task<LineView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var line = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("customs_line", id.ToString());
        await tx.AuditAsync("customs.line.read", "customs_line", id.ToString(), tx.Caller.OrganisationId, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return line;
    }

    /// <summary>Takes a line off the work list after a look (a note says why); the score stays as it was.</summary>
    public async Task<LineView> DismissAsync(Guid id, LineDismissal body, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var note = rules.Optional("note", body.Note, 2000);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        CustomsAccess.RequireCustoms(tx.Caller);
        var before = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("customs_line", id.ToString());
        if (before.ReviewState != "open")
        {
            throw new RuleViolationException("customs.line_not_open", "Only an open line can be dismissed.", "id", isConflict: true, before.ReviewState);
        }

        await tx.ExecuteAsync(
            "UPDATE customs_lines SET review_state = 'dismissed', review_note = @note, reviewed_by = @user, reviewed_at = @now WHERE id = @id",
            new { id, note, user = tx.Caller.UserId, now = clock.GetUtcNow() },
            cancellationToken);
        var after = (await FindAsync(tx, id, cancellationToken))!;
        await tx.AuditAsync("customs.line.dismiss", "customs_line", id.ToString(), tx.Caller.OrganisationId, new { before.ReviewState }, new { after.ReviewState, note }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after;
    }

    internal async Task<LineView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<LineRow>(Select + " WHERE id = @id", new { id }, cancellationToken);
        return row is null ? null : (await ViewsAsync(tx, [row], cancellationToken))[0];
    }

    private async Task<List<LineView>> ViewsAsync(DbTx tx, List<LineRow> rows, CancellationToken cancellationToken)
    {
        var holderIds = rows.SelectMany(r => r.HolderOrgIds).Distinct().ToArray();
        var holders = holderIds.Length == 0
            ? new Dictionary<Guid, OrganisationRef>()
            : (await tx.QueryAsync<OrganisationRef>("SELECT id, name_en, name_zh, kind FROM organisations WHERE id = ANY (@holderIds)", new { holderIds }, cancellationToken))
                .ToDictionary(o => o.Id);
        return rows.Select(r => new LineView(
                r.Id, r.DeclarationNumber, r.LineNo, r.DeclaredOn, r.TransportMode, r.Importer, r.Exporter, r.Consignor, r.Consignee, r.Origin.Trim(),
                r.Destination.Trim(), r.Port, r.HsCode, r.Description, r.Brand, r.Quantity, r.Unit, r.Value, r.Currency.Trim(),
                Math.Round(r.Value / r.Quantity, 4, MidpointRounding.AwayFromZero), r.GrossKg, r.ContainerIds, r.ParcelIds, r.RiskScore,
                Reasons(r.Reasons), r.RightIds, r.HolderOrgIds.Where(holders.ContainsKey).Select(h => holders[h]).ToList(), r.ReviewState, r.ReviewNote, r.ImportId))
            .ToList();
    }

    private List<ReasonView> Reasons(string? json) =>
        json is null ? [] : (JsonSerializer.Deserialize<List<StoredReason>>(json, ReasonJson) ?? []).Select(words.Reason).ToList();

    private static readonly JsonSerializerOptions ReasonJson = new(JsonSerializerDefaults.Web);

    private sealed record LineRow(
        Guid Id, string DeclarationNumber, int LineNo, DateOnly DeclaredOn, string TransportMode, string? Importer, string? Exporter, string? Consignor,
        string? Consignee, string Origin, string Destination, string Port, string HsCode, string Description, string? Brand, decimal Quantity, string Unit,
        decimal Value, string Currency, decimal? GrossKg, string[] ContainerIds, string[] ParcelIds, short RiskScore, string? Reasons, Guid[] RightIds,
        Guid[] HolderOrgIds, string ReviewState, string? ReviewNote, Guid ImportId);
}
