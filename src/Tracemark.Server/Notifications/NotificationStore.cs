using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Notifications;

/// <summary>A notification as its reader sees it: worded in the reader's language, with the facts and a link.</summary>
public sealed record NotificationView(
    Guid Id,
    string Kind,
    string Text,
    JsonElement Payload,
    string? SubjectType,
    string? SubjectId,
    string? Link,
    DateTimeOffset At,
    bool Read);

public sealed record UnreadCount(int Unread);

/// <summary>The inbox of the caller's organisation (and of the caller personally), under row-level security.</summary>
public sealed class NotificationStore(Db db, TimeProvider clock, IStringLocalizer<NotificationsText> text)
{
    public async Task<Page<NotificationView>> ListAsync(string? cursor, string? limit, string? unread, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", limit));
        var onlyUnread = QueryValues.Bool(rules, "unread", unread) ?? false;
        var after = Paging.DecodeId(rules, cursor);
        rules.ThrowIfAny();

        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<Row>(
            """
            SELECT n.id, n.kind, n.payload::text AS payload, n.subject_type, n.subject_id, n.delivered_at AS at,
                   EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.reader_id = @reader) AS read
            FROM notifications n
            WHERE n.channel = 'in_app' AND n.delivered_at IS NOT NULL
              AND (@after::uuid IS NULL OR n.id < @after)
              AND (NOT @onlyUnread OR NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.reader_id = @reader))
            ORDER BY n.id DESC
            LIMIT @take
            """,
            new { reader = ReaderId(tx), after, onlyUnread, take = take + 1 },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return Paging.Build(rows.Select(ToView).ToList(), take, n => n.Id.ToString());
    }

    public async Task<UnreadCount> CountUnreadAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var count = await tx.ExecuteScalarAsync<int>(
            """
            SELECT count(*)::int FROM notifications n
            WHERE n.channel = 'in_app' AND n.delivered_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.reader_id = @reader)
            """,
            new { reader = ReaderId(tx) },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new UnreadCount(count);
    }

    public async Task MarkReadAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var visible = await tx.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM notifications WHERE id = @id AND channel = 'in_app' AND delivered_at IS NOT NULL)", new { id }, cancellationToken);
        if (!visible)
        {
            throw new RecordNotFoundException("notification", id.ToString());
        }

        var marked = await tx.ExecuteAsync(
            "INSERT INTO notification_reads (notification_id, reader_id, read_at) VALUES (@id, @reader, @now) ON CONFLICT DO NOTHING",
            new { id, reader = ReaderId(tx), now = clock.GetUtcNow() },
            cancellationToken);
        if (marked > 0)
        {
            await tx.AuditAsync("notification.read", "notification", id.ToString(), tx.Caller.OrganisationId, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    public async Task<int> MarkAllReadAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var marked = await tx.ExecuteAsync(
            """
            INSERT INTO notification_reads (notification_id, reader_id, read_at)
            SELECT n.id, @reader, @now FROM notifications n WHERE n.channel = 'in_app' AND n.delivered_at IS NOT NULL
            ON CONFLICT DO NOTHING
            """,
            new { reader = ReaderId(tx), now = clock.GetUtcNow() },
            cancellationToken);
        if (marked > 0)
        {
            await tx.AuditAsync("notification.read_all", "notification", null, tx.Caller.OrganisationId, detail: new { count = marked }, cancellationToken: cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return marked;
    }

    /// <summary>
    /// The notification in the reader's language: the template "kind.&lt;kind&gt;" with {name} replaced by
    /// the payload's member of that name (dates shown as yyyy-MM-dd).
    /// </summary>
    public string Word(string kind, JsonElement payload)
    {
        var template = text["kind." + kind];
        if (template.ResourceNotFound)
        {
            return kind;
        }

        var result = template.Value;
        if (payload.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in payload.EnumerateObject())
            {
                var value = member.Value.ValueKind switch
                {
                    JsonValueKind.String => member.Value.GetString() ?? "",
                    JsonValueKind.Array => string.Join(CultureInfo.CurrentUICulture.Name == "zh-CN" ? "、" : ", ", member.Value.EnumerateArray().Select(e => e.ToString())),
                    _ => member.Value.ToString(),
                };
                result = result.Replace("{" + member.Name + "}", value, StringComparison.Ordinal);
            }
        }

        return result;
    }

    /// <summary>Who marks as read: the signed-in person, or the API key of a machine client.</summary>
    private static Guid ReaderId(DbTx tx) =>
        tx.Caller.UserId ?? tx.Caller.ApiKeyId ?? throw new AccessDeniedException("auth.required", "Only a signed-in person or an API key has an inbox.");

    private NotificationView ToView(Row row)
    {
        using var document = JsonDocument.Parse(row.Payload);
        var payload = document.RootElement.Clone();
        var link = payload.ValueKind == JsonValueKind.Object && payload.TryGetProperty("link", out var l) && l.ValueKind == JsonValueKind.String
            && l.GetString() is { } path && path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal) ? path : null;
        return new NotificationView(row.Id, row.Kind, Word(row.Kind, payload), payload, row.SubjectType, row.SubjectId, link, row.At, row.Read);
    }

    private sealed record Row(Guid Id, string Kind, string Payload, string? SubjectType, string? SubjectId, DateTimeOffset At, bool Read);
}

/// <summary>The unread count beside "Notifications" in the navigation.</summary>
public sealed class UnreadNotificationsBadge(NotificationStore store) : INavigationBadge
{
    public string Href => "/notifications";

    public async Task<int> CountAsync(CancellationToken cancellationToken) => (await store.CountUnreadAsync(cancellationToken)).Unread;
}
