using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Notifications.Webhooks;

/// <summary>An organisation's endpoint. <see cref="Secret"/> is given only when it was made or rotated: it is never shown again.</summary>
public sealed record WebhookView(string Url, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Secret = null);

public sealed record WebhookChange(string? Url, IReadOnlyList<string>? Events, bool? Enabled, bool? RotateSecret);

public sealed record WebhookDeliveryView(long Id, Guid NotificationId, string Event, string Url, int Attempt, DateTimeOffset AttemptedAt, int? StatusCode, string? Error, int DurationMs);

/// <summary>The caller's organisation's webhook endpoint and its delivery log (organisation administrators).</summary>
public sealed partial class WebhookStore(Db db, IDataProtectionProvider protection, TimeProvider clock)
{
    public const int EventsMax = 50;

    public async Task<WebhookView> GetAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var row = await FindAsync(tx, cancellationToken) ?? throw new RecordNotFoundException("webhook", "-");
        await tx.CommitAsync(cancellationToken);
        return row.ToView();
    }

    /// <summary>Registers or changes the endpoint; a new endpoint, or <c>rotateSecret</c>, makes a new signing secret, returned once.</summary>
    public async Task<WebhookView> SetAsync(WebhookChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        string? url = null;
        if (change.Url is not null)
        {
            url = rules.Required("url", change.Url, 2000);
            if (url.Length > 0 && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                rules.Add("url", "webhook.url_invalid");
            }
        }

        string[]? events = null;
        if (change.Events is not null)
        {
            if (change.Events.Count > EventsMax)
            {
                rules.Add("events", "too_many", EventsMax);
            }

            for (var i = 0; i < change.Events.Count; i++)
            {
                if (change.Events[i] is not { } kind || !EventKind().IsMatch(kind))
                {
                    rules.Add(string.Create(CultureInfo.InvariantCulture, $"events[{i}]"), "webhook.event_invalid");
                }
            }

            events = change.Events.Distinct(StringComparer.Ordinal).ToArray();
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, cancellationToken);
        if (before is null && url is null)
        {
            throw new InputValidationException("url", "required");
        }

        string? secret = null;
        if (before is null || change.RotateSecret == true)
        {
            secret = "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        }

        var now = clock.GetUtcNow();
        var parameters = new
        {
            organisation = tx.Caller.OrganisationId,
            url,
            events,
            secret = secret is null ? null : protection.CreateProtector(WebhookChannel.ProtectorPurpose).Protect(secret),
            enabled = change.Enabled,
            user = tx.Caller.UserId,
            now,
        };
        await tx.ExecuteAsync(
            before is null
                ? """
                  INSERT INTO webhook_endpoints (organisation_id, url, events, secret_protected, enabled, created_by, created_at, updated_at)
                  VALUES (@organisation, @url, coalesce(@events, '{}'), @secret, coalesce(@enabled, true), @user, @now, @now)
                  """
                : """
                  UPDATE webhook_endpoints SET url = coalesce(@url, url), events = coalesce(@events, events),
                      secret_protected = coalesce(@secret, secret_protected), enabled = coalesce(@enabled, enabled), updated_at = @now
                  WHERE organisation_id = @organisation
                  """,
            parameters,
            cancellationToken);
        var after = await FindAsync(tx, cancellationToken) ?? throw new InvalidOperationException("A webhook endpoint just written is not visible.");
        await tx.AuditAsync(
            before is null ? "webhook.create" : "webhook.change",
            "webhook",
            tx.Caller.OrganisationId?.ToString(),
            tx.Caller.OrganisationId,
            before?.ToView(),
            after.ToView(),
            new { secretRotated = secret is not null },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return after.ToView() with { Secret = secret };
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await FindAsync(tx, cancellationToken) ?? throw new RecordNotFoundException("webhook", "-");
        await tx.ExecuteAsync("DELETE FROM webhook_endpoints WHERE organisation_id = @organisation", new { organisation = tx.Caller.OrganisationId }, cancellationToken);
        await tx.AuditAsync("webhook.delete", "webhook", tx.Caller.OrganisationId?.ToString(), tx.Caller.OrganisationId, before.ToView(), cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    public async Task<Page<WebhookDeliveryView>> DeliveriesAsync(string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", limit));
        var position = Paging.Decode(rules, cursor);
        long? before = null;
        if (position is not null)
        {
            if (long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                before = id;
            }
            else
            {
                rules.Add("cursor", "cursor.invalid");
            }
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<WebhookDeliveryView>(
            """
            SELECT id, notification_id, event, url, attempt, attempted_at, status_code, error, duration_ms FROM webhook_deliveries
            WHERE (@before::bigint IS NULL OR id < @before)
            ORDER BY id DESC LIMIT @take
            """,
            new { before, take = take + 1 },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return Paging.Build(rows.ToList(), take, d => d.Id.ToString(CultureInfo.InvariantCulture));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Task<Row?> FindAsync(DbTx tx, CancellationToken cancellationToken) =>
        tx.QuerySingleOrDefaultAsync<Row>(
            "SELECT url, events, enabled, created_at, updated_at FROM webhook_endpoints WHERE organisation_id = @organisation",
            new { organisation = tx.Caller.OrganisationId },
            cancellationToken);

    // The notification kinds' own pattern (notifications.kind).
    [GeneratedRegex("^[a-z][a-z0-9_.]{1,99}$", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EventKind();

    private sealed record Row(string Url, string[] Events, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public WebhookView ToView() => new(Url, Events, Enabled, CreatedAt, UpdatedAt);
    }
}

public static class WebhooksSetup
{
    public static WebApplicationBuilder AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(WebhookChannel.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<INotificationChannel, WebhookChannel>();
        builder.Services.AddSingleton<WebhookOutbox>();
        builder.Services.AddScoped<WebhookStore>();
        return builder;
    }

    public static WebApplication MapWebhooks(this WebApplication app)
    {
        var webhooks = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.OrgAdmin);
        webhooks.MapGet("/", (WebhookStore store, CancellationToken cancellationToken) => store.GetAsync(cancellationToken))
            .WithSummary("The organisation's webhook endpoint (without its secret).");
        webhooks.MapPut("/", (WebhookChange body, WebhookStore store, CancellationToken cancellationToken) => store.SetAsync(body, cancellationToken))
            .WithSummary("Register or change the endpoint; a new endpoint or rotateSecret=true returns a new signing secret, once.");
        webhooks.MapDelete("/", async (WebhookStore store, CancellationToken cancellationToken) =>
        {
            await store.DeleteAsync(cancellationToken);
            return TypedResults.NoContent();
        }).WithSummary("Remove the endpoint; pending deliveries are dropped.");
        webhooks.MapGet("/deliveries", (string? cursor, string? limit, WebhookStore store, CancellationToken cancellationToken) => store.DeliveriesAsync(cursor, limit, cancellationToken))
            .WithSummary("Every delivery attempt, newest first: status code, error, duration.");
        return app;
    }
}
