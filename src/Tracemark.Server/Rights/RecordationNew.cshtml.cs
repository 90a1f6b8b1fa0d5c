using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Rights;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

[Authorize(Policy = Policies.Writer)]
public sealed class RecordationNewModel(RecordationStore recordations, RightStore rights, RightSearch search, OrganisationStore organisations, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? RightId { get; set; }

    [BindProperty]
    public List<Guid> RightIds { get; set; } = [];

    [BindProperty]
    public List<Guid> AuthorityOrgIds { get; set; } = [];

    [BindProperty]
    public RecordationFormFields Recordation { get; set; } = new();

    public IReadOnlyList<RightView> Choices { get; private set; } = [];

    public IReadOnlyList<OrganisationRef> Customs { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (RightId is { } id)
        {
            RightIds = [id];
            Recordation.Jurisdiction = (await rights.GetAsync(id, cancellationToken)).Jurisdiction;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            var recordation = await recordations.CreateAsync(
                new NewRecordation(
                    Recordation.Kind == "application_for_action" ? RecordationKind.ApplicationForAction : RecordationKind.Recordation,
                    RightIds, Recordation.Jurisdiction, Recordation.Reference, Recordation.AuthorityList(), AuthorityOrgIds, Recordation.Goods,
                    Recordation.StatusValue(), Recordation.Filed, Recordation.ValidFrom, Recordation.ValidUntil, null, null),
                cancellationToken);
            Flash = text["recordation.created"];
            return Redirect($"/recordations/{recordation.Id}");
        });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var first = RightIds.FirstOrDefault(Guid.Empty);
        if (first != Guid.Empty)
        {
            var right = await rights.GetAsync(first, cancellationToken);
            Choices = (await search.SearchAsync(new RightFilter(Owner: right.Owner.Id.ToString(), Limit: "200"), cancellationToken)).Items;
        }

        Customs = (await organisations.ListAsync("customs", null, cancellationToken)).Concat(await organisations.ListAsync("foreign_partner", null, cancellationToken))
            .Select(o => new OrganisationRef(o.Id, o.NameEn, o.NameZh, o.Kind)).ToList();
    }
}
