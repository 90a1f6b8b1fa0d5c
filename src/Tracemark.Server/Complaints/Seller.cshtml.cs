using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>
/// The seller's page, reached through the link the platform gave it: no account. The token alone opens this
/// one notice (see <see cref="NoticeStore.SellerViewAsync"/>): unknown, revoked and expired links are 404.
/// </summary>
[AllowAnonymous]
public sealed class SellerModel(NoticeStore notices, IStringLocalizer<ComplaintsText> text) : TracemarkPageModel
{
    public SellerPage? View { get; private set; }

    public string Token { get; private set; } = "";

    [BindProperty]
    public string? Statement { get; set; }

    [BindProperty]
    public string? SellerName { get; set; }

    [BindProperty]
    public string? SellerContact { get; set; }

    [BindProperty]
    public bool Affirmed { get; set; }

    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    [BindProperty]
    public string? Reasons { get; set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        Token = token;
        View = await notices.SellerViewAsync(token, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostCounterAsync(string token, CancellationToken cancellationToken)
    {
        Token = token;
        var streams = new List<SellerFile>();
        try
        {
            foreach (var file in Files.Where(f => f.Length > 0))
            {
                streams.Add(new SellerFile(file.OpenReadStream(), file.FileName));
            }

            return await ResultAsync(
                token,
                () => notices.SellerCounterNoticeAsync(token, new CounterNoticeInput(Statement, SellerName, SellerContact, Affirmed, null), streams, cancellationToken),
                "done.counter_noticed",
                cancellationToken);
        }
        finally
        {
            foreach (var file in streams)
            {
                await file.Content.DisposeAsync();
            }
        }
    }

    public Task<IActionResult> OnPostAppealAsync(string token, CancellationToken cancellationToken)
    {
        Token = token;
        return ResultAsync(token, () => notices.SellerAppealAsync(token, new ReasonsInput(Reasons), cancellationToken), "done.appealed", cancellationToken);
    }

    private async Task<IActionResult> ResultAsync(string token, Func<Task<NoticeView>> action, string done, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await action();
            Flash = text[done];
            return Redirect($"/s/{token}");
        });
        if (result is PageResult)
        {
            View = await notices.SellerViewAsync(token, cancellationToken);
        }

        return result;
    }
}
