using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Sharing;
using Tracemark.Server.Alerts;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Rights;

[Authorize(Policy = Policies.Writer)]
public sealed class NewModel(RightStore rights, AgentStore agents, SharingGroupStore groups, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    [BindProperty]
    public RightFormFields Right { get; set; } = new();

    [BindProperty]
    public Guid? HolderId { get; set; }

    [BindProperty]
    public IFormFile? Image { get; set; }

    [BindProperty]
    public string? Distribution { get; set; }

    [BindProperty]
    public Guid? SharingGroupId { get; set; }

    /// <summary>For agents: the holders that authorised them for all their rights.</summary>
    public IReadOnlyList<OrganisationRef> Holders { get; private set; } = [];

    public DistributionChoice Sharing { get; private set; } = new([], "node", [], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            var level = Distributions.TryParse(Distribution ?? "node", out var parsed) ? parsed : Core.Sharing.Distribution.Node;
            var input = new NewRight(
                Right.Type, Right.Form, Right.Jurisdiction, Right.Number, Right.ApplicationNumber, Right.Name, Right.NameZh, Right.OtherNameList(),
                Right.ClassList(), Right.Goods, Right.Filed, Right.Registered, Right.Expires, Right.Status, Right.Area, Right.Product, Right.Species,
                Right.Description, HolderId, level, level == Core.Sharing.Distribution.Group ? SharingGroupId : null);
            await using var image = Image?.OpenReadStream();
            var right = await rights.CreateAsync(input, image, cancellationToken);
            Flash = text["new.created"];
            return Redirect($"/rights/{right.Id}");
        });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Holders = Caller.OrganisationKind == Core.Organisations.OrganisationKind.Agent ? await agents.HoldersAsync(cancellationToken) : [];
        Sharing = new DistributionChoice(["organisation", "group", "node", "partners", "public"], Distribution ?? "node", await groups.ListAsync(cancellationToken), SharingGroupId);
    }
}
