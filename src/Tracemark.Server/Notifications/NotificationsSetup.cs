using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Notifications;

/// <summary>Marker for the notification strings (NotificationsText.resx, NotificationsText.zh-CN.resx): the page and one "kind.*" wording per notification kind.</summary>
public sealed class NotificationsText;

public static class NotificationsSetup
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<NotificationOutbox>();
        services.AddScoped<NotificationStore>();
        services.AddScoped<NotificationDispatcher>();
        services.AddSingleton<INotificationChannel, InAppChannel>();
        services.AddScoped<INavigationBadge, UnreadNotificationsBadge>();
        services.AddHostedService<NotificationWorker>();
        services.AddNavigation("/notifications", "nav.notifications", "read", 5);
        return builder;
    }

    public static WebApplication MapNotifications(this WebApplication app)
    {
        var notifications = app.MapGroup("/api/v1/notifications").WithTags("Notifications");
        notifications.MapGet("/", (string? cursor, string? limit, string? unread, NotificationStore store, CancellationToken cancellationToken) =>
                store.ListAsync(cursor, limit, unread, cancellationToken))
            .WithSummary("The caller's in-app notifications (its organisation's and its own), newest first, by cursor; ?unread=true for unread ones.");
        notifications.MapGet("/unread-count", (NotificationStore store, CancellationToken cancellationToken) => store.CountUnreadAsync(cancellationToken))
            .WithSummary("How many of the caller's notifications are unread.");
        notifications.MapPost("/{id:guid}/read", async (Guid id, NotificationStore store, CancellationToken cancellationToken) =>
        {
            await store.MarkReadAsync(id, cancellationToken);
            return TypedResults.NoContent();
        }).WithSummary("Mark one notification read (for the signed-in person, or for the API key).");
        notifications.MapPost("/read", async (NotificationStore store, CancellationToken cancellationToken) =>
        {
            await store.MarkAllReadAsync(cancellationToken);
            return TypedResults.NoContent();
        }).WithSummary("Mark every notification read.");
        return app;
    }
}
