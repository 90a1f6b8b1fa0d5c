using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Sharing;

public sealed class IndexModel(SharingGroupStore groups) : TracemarkPageModel
{
    public IReadOnlyList<SharingGroupView> Groups { get; private set; } = [];

    public bool CanManage => Caller.IsOrgAdmin;

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public string? MemberListVisibility { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Groups = await groups.ListAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!CanManage)
        {
            return Forbid();
        }

        Groups = await groups.ListAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            var group = await groups.CreateAsync(new NewSharingGroup(Name, Description, MemberListVisibility, []), cancellationToken);
            return Redirect($"/sharing-groups/{group.Id}");
        });
    }
}
