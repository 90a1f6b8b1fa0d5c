using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Sharing;
using Tracemark.Server.Alerts;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Rights;

[Authorize(Policy = Policies.Writer)]
public sealed class GuideEditModel(GuideStore guides, SharingGroupStore groups, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    public Guid Id { get; private set; }

    [BindProperty]
    public GuideFormFields Guide { get; set; } = new();

    [BindProperty]
    public string? Distribution { get; set; }

    [BindProperty]
    public Guid? SharingGroupId { get; set; }

    public DistributionChoice Sharing { get; private set; } = new([], "node", [], null);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        Guide = GuideFormFields.From(await LoadAsync(id, cancellationToken));
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            Distribution? level = Distributions.TryParse(Distribution, out var parsed) ? parsed : null;
            await guides.ChangeAsync(
                id,
                new GuideChange(
                    null, Guide.Title ?? "", Guide.GenuineList(), Guide.FakeList(), Guide.PartyList(), Guide.RouteList(), Guide.Packaging ?? "",
                    Guide.PriceBandList(), Guide.ContactList(), level, level == Core.Sharing.Distribution.Group ? SharingGroupId : null),
                cancellationToken);
            Flash = text["guide.saved"];
            return Redirect($"/guides/{id}");
        });
    }

    private async Task<GuideView> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Id = id;
        var guide = await guides.GetAsync(id, cancellationToken);
        var wider = new[] { Core.Sharing.Distribution.Organisation, Core.Sharing.Distribution.Group, Core.Sharing.Distribution.Node, Core.Sharing.Distribution.Partners }
            .Where(l => l == guide.Distribution || Distributions.CheckChange(guide.Distribution, guide.SharingGroupId, l, l == Core.Sharing.Distribution.Group ? Guid.Empty : null, groupMembersAllOnThisNode: true) == DistributionChange.Allowed)
            .Select(Distributions.ToWire)
            .ToList();
        Sharing = new DistributionChoice(wider, Distribution ?? Distributions.ToWire(guide.Distribution), await groups.ListAsync(cancellationToken), SharingGroupId ?? guide.SharingGroupId);
        return guide;
    }
}
