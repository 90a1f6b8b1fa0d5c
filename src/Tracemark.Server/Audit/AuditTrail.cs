using System.Text.Json;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Audit;

public sealed record AuditEntry(
    long Id,
    DateTimeOffset OccurredAt,
    Guid? OrganisationId,
    string? OrganisationName,
    Guid? UserId,
    string? UserEmail,
    Guid? ApiKeyId,
    string? SessionId,
    string? ClientAddress,
    string Action,
    string RecordType,
    string? RecordId,
    Guid? RecordOwnerId,
    JsonElement? Before,
    JsonElement? After,
    JsonElement? Detail);

public sealed record AuditFilter(string? UserId, string? RecordType, string? RecordId, string? OrganisationId, string? From, string? To, string? Cursor, string? Limit);

/// <summary>
/// Reads the audit trail. Which entries a caller sees is row-level security's decision: an organisation
/// administrator sees what their organisation did and what was done to its records; the platform
/// administrator sees everything. Writing happens in each change's own transaction (DbTx.AuditAsync).
/// </summary>
public sealed class AuditTrail(Db db)
{
    public async Task<Page<AuditEntry>> ListAsync(AuditFilter filter, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var limit = Paging.Limit(rules, QueryValues.Number(rules, "limit", filter.Limit));
        var before = Paging.Decode(rules, filter.Cursor) is { } position ? long.Parse(position, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        var user = QueryValues.Id(rules, "userId", filter.UserId);
        var organisation = QueryValues.Id(rules, "organisationId", filter.OrganisationId);
        var from = QueryValues.Instant(rules, "from", filter.From);
        var to = QueryValues.Instant(rules, "to", filter.To);
        var recordType = rules.Optional("recordType", filter.RecordType, 100);
        var recordId = rules.Optional("recordId", filter.RecordId, 200);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<AuditRow>(
            """
            SELECT e.id, e.occurred_at, e.organisation_id, o.name_en AS organisation_name, e.user_id, u.email AS user_email, e.api_key_id,
                   e.session_id, e.client_address, e.action, e.record_type, e.record_id, e.record_owner_id,
                   e.before::text AS before, e.after::text AS after, e.detail::text AS detail
            FROM audit_events e
            LEFT JOIN organisations o ON o.id = e.organisation_id
            LEFT JOIN users u ON u.id = e.user_id
            WHERE (@before::bigint IS NULL OR e.id < @before)
              AND (@user::uuid IS NULL OR e.user_id = @user)
              AND (@organisation::uuid IS NULL OR e.organisation_id = @organisation OR e.record_owner_id = @organisation)
              AND (@recordType::text IS NULL OR e.record_type = @recordType)
              AND (@recordId::text IS NULL OR e.record_id = @recordId)
              AND (@from::timestamptz IS NULL OR e.occurred_at >= @from)
              AND (@to::timestamptz IS NULL OR e.occurred_at < @to)
            ORDER BY e.id DESC
            LIMIT @take
            """,
            new { before, user, organisation, recordType, recordId, from, to, take = limit + 1 },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return Paging.Build(rows.Select(r => r.ToEntry()).ToList(), limit, e => e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed record AuditRow(
        long Id, DateTimeOffset OccurredAt, Guid? OrganisationId, string? OrganisationName, Guid? UserId, string? UserEmail, Guid? ApiKeyId,
        string? SessionId, string? ClientAddress, string Action, string RecordType, string? RecordId, Guid? RecordOwnerId,
        string? Before, string? After, string? Detail)
    {
        public AuditEntry ToEntry() => new(
            Id, OccurredAt, OrganisationId, OrganisationName, UserId, UserEmail, ApiKeyId, SessionId, ClientAddress, Action, RecordType, RecordId, RecordOwnerId,
            Parse(Before), Parse(After), Parse(Detail));

        private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
    }
}

public static class AuditSetup
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AuditTrail>();
        builder.Services.AddNavigation("/audit", "nav.audit", "read_audit", 92);
        builder.Services.AddNavigation("/audit", "nav.audit", "read_all_audit", 92);
        return builder;
    }

    public static WebApplication MapAudit(this WebApplication app)
    {
        app.MapGet("/api/v1/audit", ([AsParameters] AuditFilter filter, AuditTrail trail, CancellationToken cancellationToken) => trail.ListAsync(filter, cancellationToken))
            .RequireAuthorization(Policies.Auditor)
            .WithTags("Audit")
            .WithSummary("The audit trail the caller may read, newest first, by cursor.");
        return app;
    }
}
