using System.Text.Json;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Notifications;

/// <summary>
/// A notification to write. <see cref="Kind"/> names what happened ("recordation.expiring") and picks the
/// wording in each language; <see cref="Payload"/> holds the facts the wording needs (and "link", a path
/// in the web app). <see cref="DedupeKey"/>, when given, makes the notification happen at most once.
/// </summary>
public sealed record NewNotification(
    string Kind,
    Guid RecipientOrgId,
    object Payload,
    string? SubjectType = null,
    string? SubjectId = null,
    Guid? RecipientUserId = null,
    DateTimeOffset? DueAt = null,
    string? DedupeKey = null,
    string Channel = NotificationChannels.InApp);

public static class NotificationChannels
{
    /// <summary>Shown in the recipient's inbox (page and API) from its due time on.</summary>
    public const string InApp = "in_app";
}

/// <summary>
/// Writes notifications into the outbox in the caller's transaction, so a notification exists exactly
/// when the change that causes it does. Later features reuse it for webhooks and notices: register an
/// <see cref="INotificationChannel"/> and write rows with its channel name.
/// </summary>
public sealed class NotificationOutbox(TimeProvider clock)
{
    private static readonly JsonSerializerOptions PayloadJson = CreateJson();

    /// <summary>Adds a notification; false when its dedupe key was used before (nothing is written then).</summary>
    public async Task<bool> AddAsync(DbTx tx, NewNotification notification, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = notification.DueAt ?? now;

        // An in-app notification that is already due needs no delivery: it is in the inbox from now on.
        var deliveredNow = notification.Channel == NotificationChannels.InApp && due <= now;
        return await tx.ExecuteScalarAsync<bool>(
            """
            SELECT tm_notify(@id, @Kind, @Channel, @RecipientOrgId, @RecipientUserId, @SubjectType, @SubjectId, @payload::jsonb, @DedupeKey,
                             @due, @delivered, @now)
            """,
            new
            {
                id = Guid.CreateVersion7(),
                notification.Kind,
                notification.Channel,
                notification.RecipientOrgId,
                notification.RecipientUserId,
                notification.SubjectType,
                notification.SubjectId,
                payload = JsonSerializer.Serialize(notification.Payload, PayloadJson),
                notification.DedupeKey,
                due,
                delivered = deliveredNow ? now : (DateTimeOffset?)null,
                now,
            },
            cancellationToken);
    }

    /// <summary>Several notifications in one statement, each as <see cref="AddAsync"/> writes it.</summary>
    public async Task AddManyAsync(DbTx tx, IReadOnlyList<NewNotification> notifications, CancellationToken cancellationToken)
    {
        if (notifications.Count == 0)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var due = notifications.Select(n => (n.DueAt ?? now).ToUniversalTime()).ToArray();
        await tx.ExecuteAsync(
            """
            SELECT tm_notify_many(@ids, @kinds, @channels, @recipientOrgs, @recipientUsers, @subjectTypes, @subjectIds, @payloads, @dedupes, @due, @delivered, @now)
            """,
            new
            {
                ids = notifications.Select(_ => Guid.CreateVersion7()).ToArray(),
                kinds = notifications.Select(n => n.Kind).ToArray(),
                channels = notifications.Select(n => n.Channel).ToArray(),
                recipientOrgs = notifications.Select(n => n.RecipientOrgId).ToArray(),
                recipientUsers = notifications.Select(n => n.RecipientUserId).ToArray(),
                subjectTypes = notifications.Select(n => n.SubjectType).ToArray(),
                subjectIds = notifications.Select(n => n.SubjectId).ToArray(),
                payloads = notifications.Select(n => JsonSerializer.Serialize(n.Payload, PayloadJson)).ToArray(),
                dedupes = notifications.Select(n => n.DedupeKey).ToArray(),
                due,

                // An in-app notification that is already due needs no delivery (as in AddAsync).
                delivered = notifications.Select((n, i) => n.Channel == NotificationChannels.InApp && due[i] <= now ? now.ToUniversalTime() : (DateTimeOffset?)null).ToArray(),
                now,
            },
            cancellationToken);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }
}

/// <summary>A notification the dispatcher hands to its channel.</summary>
public sealed record OutboxItem(Guid Id, string Kind, string Channel, Guid RecipientOrgId, Guid? RecipientUserId, string? SubjectType, string? SubjectId, string Payload, int Attempts);

/// <summary>
/// Delivers notifications of one channel (a webhook POST, an e-mail). Throwing means "try again later":
/// the dispatcher counts the attempt and backs off.
/// </summary>
public interface INotificationChannel
{
    string Name { get; }

    Task DeliverAsync(OutboxItem item, CancellationToken cancellationToken);
}

/// <summary>
/// Creates notifications whose time has come from the state of records (e.g. "expires in 30 days"),
/// in a transaction without a caller (row-level security does not apply: filter by yourself). Must be
/// idempotent: give each notification a dedupe key so that running again adds nothing.
/// </summary>
public interface IReminderSource
{
    string Name { get; }

    Task<int> CreateDueAsync(DbTx system, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>In-app notifications are delivered by becoming visible; nothing leaves the server.</summary>
internal sealed class InAppChannel : INotificationChannel
{
    public string Name => NotificationChannels.InApp;

    public Task DeliverAsync(OutboxItem item, CancellationToken cancellationToken) => Task.CompletedTask;
}
