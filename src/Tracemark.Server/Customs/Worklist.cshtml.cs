using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

public sealed class WorklistModel(LineStore lines, CustomsWords words, IStringLocalizer<CustomsText> text) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Port { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? MinScore { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public Page<LineView>? Lines { get; private set; }

    public CustomsWords Words => words;

    public bool CanWrite => Caller.CanWrite;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Lines = await lines.WorklistAsync(new WorklistFilter(Port, MinScore, Cursor, null), cancellationToken);
        return Page();
    });

    public async Task<IActionResult> OnPostDismissAsync(Guid lineId, string? note, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await lines.DismissAsync(lineId, new LineDismissal(note), cancellationToken);
            Flash = text["worklist.dismissed"];
            return Redirect("/customs/worklist");
        });
        if (result is PageResult)
        {
            Lines = await lines.WorklistAsync(new WorklistFilter(Port, MinScore, null, null), cancellationToken);
        }

        return result;
    }

    public string NextPageUrl(string cursor) => "/customs/worklist" + QueryString.Create(new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["port"] = Port,
        ["minScore"] = MinScore,
        ["cursor"] = cursor,
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
