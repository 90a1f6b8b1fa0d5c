using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Evidence;

public sealed class IndexModel(EvidenceStore evidence) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public Page<EvidenceSummary>? Evidence { get; private set; }

    public bool CanWrite => Caller.CanWrite;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Evidence = await evidence.ListAsync(new EvidenceFilter(Cursor, null, null, null, null), cancellationToken);
        return Page();
    });
}
