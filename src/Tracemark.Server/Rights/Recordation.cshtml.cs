using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

public sealed class RecordationModel(RecordationStore recordations, Db db, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    public RecordationView? Recordation { get; private set; }

    public bool MayChange { get; private set; }

    [BindProperty]
    public RecordationFormFields Fields { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        Fields = RecordationFormFields.From(Recordation!);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            await recordations.ChangeAsync(
                id,
                new RecordationChange(null, Fields.Reference ?? "", Fields.AuthorityList(), null, Fields.Goods ?? "", Fields.StatusValue(), Fields.Filed ?? "", Fields.ValidFrom ?? "", Fields.ValidUntil ?? "", null, null),
                cancellationToken);
            Flash = text["recordation.saved"];
            return Redirect($"/recordations/{id}");
        });
    }

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Recordation = await recordations.GetAsync(id, cancellationToken);
        await using var tx = await db.BeginAsync(cancellationToken);
        MayChange = Caller.CanWrite && await tx.ExecuteScalarAsync<bool>("SELECT tm_may_change_recordation(@id)", new { id }, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
