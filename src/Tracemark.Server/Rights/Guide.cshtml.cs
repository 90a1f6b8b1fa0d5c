using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

public sealed class GuideModel(GuideStore guides, Db db, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    public GuideView? Guide { get; private set; }

    public bool MayChange { get; private set; }

    [BindProperty]
    public IFormFile? Picture { get; set; }

    [BindProperty]
    public string? PictureKind { get; set; }

    [BindProperty]
    public string? PictureCaption { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostPictureAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            if (Picture is null)
            {
                throw new Core.Errors.InputValidationException("file", "required");
            }

            await using var stream = Picture.OpenReadStream();
            await guides.AddPictureAsync(id, new NewPicture(stream, PictureKind, PictureCaption), cancellationToken);
            Flash = text["guide.picture_added"];
            return Redirect($"/guides/{id}");
        });
    }

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Guide = await guides.GetAsync(id, cancellationToken);
        await using var tx = await db.BeginAsync(cancellationToken);
        MayChange = Caller.CanWrite && await tx.ExecuteScalarAsync<bool>("SELECT tm_may_change_guide(@id)", new { id }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
