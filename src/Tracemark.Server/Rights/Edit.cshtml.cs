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
public sealed class EditModel(RightStore rights, SharingGroupStore groups, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    public Guid Id { get; private set; }

    [BindProperty]
    public RightFormFields Right { get; set; } = new();

    [BindProperty]
    public IFormFile? Image { get; set; }

    [BindProperty]
    public string? Distribution { get; set; }

    [BindProperty]
    public Guid? SharingGroupId { get; set; }

    public DistributionChoice Sharing { get; private set; } = new([], "node", [], null);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var right = await LoadAsync(id, cancellationToken);
        Right = RightFormFields.From(right);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            Distribution? level = Distributions.TryParse(Distribution, out var parsed) ? parsed : null;
            var change = new RightChange(
                Right.Type, Right.Form ?? "", Right.Jurisdiction ?? "", Right.Number ?? "", Right.ApplicationNumber ?? "", Right.Name ?? "", Right.NameZh ?? "",
                Right.OtherNameList(), Right.ClassList(), Right.Goods ?? "", Right.Filed ?? "", Right.Registered ?? "", Right.Expires ?? "", Right.Status ?? "",
                Right.Area ?? "", Right.Product ?? "", Right.Species ?? "", Right.Description ?? "", level, level == Core.Sharing.Distribution.Group ? SharingGroupId : null);
            await using var image = Image?.OpenReadStream();
            await rights.ChangeAsync(id, change, image, cancellationToken);
            Flash = text["edit.saved"];
            return Redirect($"/rights/{id}");
        });
    }

    private async Task<RightView> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Id = id;
        var right = await rights.GetAsync(id, cancellationToken);
        if (!await rights.MayChangeAsync(id, cancellationToken))
        {
            throw new Core.Errors.AccessDeniedException("right.not_holder", "Only the holder of a right, and agents it authorised for the right, may change it.");
        }

        var wider = Enum.GetValues<Core.Sharing.Distribution>()
            .Where(l => l == right.Distribution || Distributions.CheckChange(right.Distribution, right.SharingGroupId, l, l == Core.Sharing.Distribution.Group ? Guid.Empty : null, groupMembersAllOnThisNode: true) == DistributionChange.Allowed)
            .Select(Distributions.ToWire)
            .ToList();
        Sharing = new DistributionChoice(wider, Distribution ?? Distributions.ToWire(right.Distribution), await groups.ListAsync(cancellationToken), SharingGroupId ?? right.SharingGroupId);
        return right;
    }
}
