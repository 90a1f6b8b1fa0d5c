using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>Files a notice with one listing from a form, through the same store and rules as the API.</summary>
public sealed class NewModel(NoticeStore notices, ComplaintRulesStore complaintRules, ComplaintFiles files, IStringLocalizer<ComplaintsText> text) : TracemarkPageModel
{
    public IReadOnlyList<PlatformView> Platforms { get; private set; } = [];

    public IReadOnlyList<RightChoice> Rights { get; private set; } = [];

    [BindProperty]
    public Guid? PlatformId { get; set; }

    [BindProperty]
    public string? Kind { get; set; }

    [BindProperty]
    public Guid? RightId { get; set; }

    [BindProperty]
    public string? ListingUrl { get; set; }

    [BindProperty]
    public string? ListingId { get; set; }

    [BindProperty]
    public string? Title { get; set; }

    [BindProperty]
    public string? SellerId { get; set; }

    [BindProperty]
    public string? SellerName { get; set; }

    [BindProperty]
    public string? Price { get; set; }

    [BindProperty]
    public string? Currency { get; set; }

    [BindProperty]
    public string? SnapshotText { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public IFormFile? EvidenceFile { get; set; }

    [BindProperty]
    public bool GoodFaith { get; set; }

    [BindProperty]
    public string? Signature { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            decimal? price = null;
            if (!string.IsNullOrWhiteSpace(Price))
            {
                price = decimal.TryParse(Price.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var p)
                    ? p
                    : throw new InputValidationException("listings[0].price", "invalid_value");
            }

            var evidence = new List<EvidenceInput?>();
            if (EvidenceFile is { Length: > 0 } upload)
            {
                await using var stream = upload.OpenReadStream();
                var stored = await files.UploadAsync(stream, upload.FileName, cancellationToken);
                evidence.Add(new EvidenceInput(stored.Sha256, upload.FileName.Length > 200 ? upload.FileName[..200] : upload.FileName));
            }

            var listing = new ListingInput(ListingId, ListingUrl, SellerId, SellerName, Title, price, string.IsNullOrWhiteSpace(Currency) ? null : Currency.Trim(), SnapshotText, null);
            var notice = await notices.FileAsync(
                new NewNotice(PlatformId, null, Kind, RightId is { } right ? [right] : [], [listing], Description, evidence, GoodFaith, Signature, null, null),
                cancellationToken);
            Flash = text[notice.State == NoticeState.Linked ? "done.linked" : "done.filed"];
            return Redirect($"/complaints/{notice.Id}");
        });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Platforms = (await complaintRules.ListPlatformsAsync(cancellationToken)).Where(p => p.Accepting).ToList();
        Rights = await notices.RightChoicesAsync(cancellationToken);
    }
}
