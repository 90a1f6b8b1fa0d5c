using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

public sealed class RecordationsModel(RecordationStore recordations) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ExpiringBefore { get; set; }

    public IReadOnlyList<RecordationView> List { get; private set; } = [];

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        List = await recordations.ListAsync(null, Status, ExpiringBefore, cancellationToken);
        return Page();
    });
}
