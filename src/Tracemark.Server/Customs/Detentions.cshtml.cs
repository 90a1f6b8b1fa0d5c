using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

/// <summary>The detentions the reader may see: customs' own, or a right holder's (with the deadline it must meet).</summary>
public sealed class DetentionsModel(DetentionStore detentions, CustomsWords words) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public Page<DetentionSummary>? Detentions { get; private set; }

    public CustomsWords Words => words;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => await AttemptAsync(async () =>
    {
        Detentions = await detentions.ListAsync(new DetentionFilter(string.IsNullOrEmpty(State) ? null : State, Cursor, null), cancellationToken);
        return Page();
    });
}
