using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>One notice for its parties: the facts, the clocks, the timeline, and the forms for what the reader's side may do now.</summary>
public sealed class DetailModel(NoticeStore notices, IStringLocalizer<ComplaintsText> text) : TracemarkPageModel
{
    public NoticeView? Notice { get; private set; }

    /// <summary>The seller's link, shown once right after a measure (only its hash is kept).</summary>
    [TempData]
    public string? SellerUrl { get; set; }

    /// <summary>Only writers act; readers see the notice.</summary>
    public bool CanAct => Caller.CanWrite;

    [BindProperty]
    public string? Measure { get; set; }

    [BindProperty]
    public string? Reasons { get; set; }

    [BindProperty]
    public string? FiledKind { get; set; }

    [BindProperty]
    public string? FiledWith { get; set; }

    [BindProperty]
    public string? FiledReference { get; set; }

    [BindProperty]
    public bool? Granted { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Notice = await notices.GetAsync(id, cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostDecideAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, async () =>
        {
            var after = await notices.DecideAsync(id, new DecisionInput(Measure, Reasons), cancellationToken);
            SellerUrl = after.SellerLink?.Url ?? after.SellerLink?.Path;
            return after;
        }, "done.decided", cancellationToken);

    public Task<IActionResult> OnPostForwardAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, () => notices.ForwardAsync(id, cancellationToken), "done.forwarded", cancellationToken);

    public Task<IActionResult> OnPostFiledAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, () => notices.ReportActionFiledAsync(id, new FiledActionInput(FiledKind, FiledWith, FiledReference, null), cancellationToken), "done.filed_action", cancellationToken);

    public Task<IActionResult> OnPostAppealDecisionAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, () => notices.DecideAppealAsync(id, new AppealDecisionInput(Granted, Reasons), cancellationToken), "done.appeal_decided", cancellationToken);

    public Task<IActionResult> OnPostWithdrawAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, () => notices.WithdrawAsync(id, new ReasonsInput(Reasons), cancellationToken), "done.withdrawn", cancellationToken);

    private async Task<IActionResult> ActAsync(Guid id, Func<Task<NoticeView>> action, string done, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await action();
            Flash = text[done];
            return Redirect($"/complaints/{id}");
        });
        if (result is PageResult)
        {
            Notice = await notices.GetAsync(id, cancellationToken);
        }

        return result;
    }
}
