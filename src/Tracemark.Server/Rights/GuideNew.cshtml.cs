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
public sealed class GuideNewModel(GuideStore guides, RightStore rights, RightSearch search, SharingGroupStore groups, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid? RightId { get; set; }

    [BindProperty]
    public List<Guid> RightIds { get; set; } = [];

    [BindProperty]
    public GuideFormFields Guide { get; set; } = new();

    [BindProperty]
    public IFormFile? Picture { get; set; }

    [BindProperty]
    public string? PictureKind { get; set; } = "genuine";

    [BindProperty]
    public string? PictureCaption { get; set; }

    [BindProperty]
    public string? Distribution { get; set; }

    [BindProperty]
    public Guid? SharingGroupId { get; set; }

    /// <summary>The rights of the holder the guide is for: a guide may cover a product line of several.</summary>
    public IReadOnlyList<RightView> Choices { get; private set; } = [];

    public DistributionChoice Sharing { get; private set; } = new([], "node", [], null);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (RightId is { } id)
        {
            RightIds = [id];
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            var level = Distributions.TryParse(Distribution ?? "node", out var parsed) ? parsed : Core.Sharing.Distribution.Node;
            var input = new NewGuide(
                RightIds, Guide.Title, Guide.GenuineList(), Guide.FakeList(), Guide.PartyList(), Guide.RouteList(), Guide.Packaging, Guide.PriceBandList(),
                Guide.ContactList(), level, level == Core.Sharing.Distribution.Group ? SharingGroupId : null);
            await using var picture = Picture?.OpenReadStream();
            var guide = await guides.CreateAsync(input, picture is null ? null : new NewPicture(picture, PictureKind, PictureCaption), cancellationToken);
            Flash = text["guide.created"];
            return Redirect($"/guides/{guide.Id}");
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

        Sharing = new DistributionChoice(["organisation", "group", "node", "partners"], Distribution ?? "node", await groups.ListAsync(cancellationToken), SharingGroupId);
    }
}
