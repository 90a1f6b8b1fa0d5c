using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Screening;

public sealed class IndexModel(ScreeningService screening) : TracemarkPageModel
{
    [BindProperty]
    public string? Texts { get; set; }

    [BindProperty]
    public string? Mode { get; set; }

    public IReadOnlyList<string> Lines { get; private set; } = [];

    public ScreeningResponse? Result { get; private set; }

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) => AttemptAsync(async () =>
    {
        Lines = (Texts ?? "").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Take(ScreeningService.MaxTexts).ToList();
        Result = await screening.ScreenAsync(new ScreeningRequest(null, Lines, Mode), cancellationToken);
        return Page();
    });
}
