using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Notifications;

public sealed class IndexModel(NotificationStore notifications) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Unread { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public Page<NotificationView>? Notifications { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Notifications = await notifications.ListAsync(Cursor, null, Unread, cancellationToken);
        return Page();
    });

    public async Task<IActionResult> OnPostReadAsync(Guid id, CancellationToken cancellationToken)
    {
        await notifications.MarkReadAsync(id, cancellationToken);
        return Redirect("/notifications");
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken cancellationToken)
    {
        await notifications.MarkAllReadAsync(cancellationToken);
        return Redirect("/notifications");
    }
}
