using Microsoft.AspNetCore.Mvc;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>The notices the reader may see; for a platform, first its review queue with the service-level clocks.</summary>
public sealed class IndexModel(NoticeStore notices) : TracemarkPageModel
{
    public IReadOnlyList<NoticeSummary>? Queue { get; private set; }

    public Page<NoticeSummary>? Notices { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public bool CanFile => Caller.CanWrite && Caller.OrganisationKind is OrganisationKind.RightsHolder or OrganisationKind.Agent;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Caller.OrganisationKind == OrganisationKind.Platform)
        {
            Queue = await notices.QueueAsync(null, cancellationToken);
        }

        return await AttemptAsync(async () =>
        {
            Notices = await notices.ListAsync(new NoticeFilter(Cursor, null, string.IsNullOrEmpty(State) ? null : State, null, null, string.IsNullOrWhiteSpace(Q) ? null : Q), cancellationToken);
            return Page();
        });
    }
}
