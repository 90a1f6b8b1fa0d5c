using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

public sealed class DetailModel(RightStore rights, GuideStore guides, RecordationStore recordations, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    public RightView? Right { get; private set; }

    public bool MayChange { get; private set; }

    /// <summary>The guides the reader may see (none for a platform or the public: row-level security decides).</summary>
    public IReadOnlyList<GuideView> Guides { get; private set; } = [];

    public IReadOnlyList<RecordationView> Recordations { get; private set; } = [];

    public IReadOnlyList<RightDocumentView> Documents { get; private set; } = [];

    [BindProperty]
    public string? DocumentTitle { get; set; }

    [BindProperty]
    public IFormFile? Document { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostDocumentAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            if (Document is null)
            {
                throw new Core.Errors.InputValidationException("file", "required");
            }

            await using var stream = Document.OpenReadStream();
            await rights.AddDocumentAsync(id, stream, DocumentTitle, Document.FileName, cancellationToken);
            Flash = text["documents.added"];
            return Redirect($"/rights/{id}");
        });
    }

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Right = await rights.GetAsync(id, cancellationToken);
        MayChange = Caller.CanWrite && await rights.MayChangeAsync(id, cancellationToken);
        var visible = new List<GuideView>();
        foreach (var summary in await guides.ListAsync(id.ToString(), cancellationToken))
        {
            visible.Add(await guides.GetAsync(summary.Id, cancellationToken));
        }

        Guides = visible;
        Recordations = await recordations.ListAsync(id.ToString(), null, null, cancellationToken);
        Documents = await rights.ListDocumentsAsync(id, cancellationToken);
    }
}
