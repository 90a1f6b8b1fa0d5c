using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Sharing;

public sealed class GroupModel(SharingGroupStore groups, OrganisationStore organisations) : TracemarkPageModel
{
    public SharingGroupView? Group { get; private set; }

    public IReadOnlyList<OrganisationView> Candidates { get; private set; } = [];

    public bool CanManage => Group is { OwnedByCaller: true } && Caller.IsOrgAdmin;

    [BindProperty]
    public Guid OrganisationId { get; set; }

    [BindProperty]
    public string? MemberListVisibility { get; set; }

    public async Task OnGetAsync(Guid id, CancellationToken cancellationToken) => await LoadAsync(id, cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            await groups.AddMemberAsync(id, OrganisationId, cancellationToken);
            return Redirect($"/sharing-groups/{id}");
        });
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            await groups.RemoveMemberAsync(id, OrganisationId, cancellationToken);
            return Redirect($"/sharing-groups/{id}");
        });
    }

    public async Task<IActionResult> OnPostVisibilityAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            await groups.ChangeAsync(id, new SharingGroupChange(null, null, MemberListVisibility), cancellationToken);
            return Redirect($"/sharing-groups/{id}");
        });
    }

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Group = await groups.GetAsync(id, cancellationToken);
        if (CanManage)
        {
            var members = Group.Members.Select(m => m.Id).ToHashSet();
            Candidates = (await organisations.ListAsync(null, null, cancellationToken)).Where(o => o.IsActive && !members.Contains(o.Id)).ToList();
        }
    }
}
