using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Organisations;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Rights;

public sealed class AgentsModel(AgentStore agents, RightSearch search, OrganisationStore organisations, IStringLocalizer<RightsText> text) : TracemarkPageModel
{
    public AgentAuthorisations? List { get; private set; }

    public IReadOnlyList<OrganisationRef> Agents { get; private set; } = [];

    public IReadOnlyList<RightView> MyRights { get; private set; } = [];

    public bool IsHolder => Caller.OrganisationKind == OrganisationKind.RightsHolder;

    public bool IsAgent => Caller.OrganisationKind == OrganisationKind.Agent;

    /// <summary>A holder's administrators authorise and revoke (a person, never a key).</summary>
    public bool CanAuthorise => IsHolder && Caller.IsOrgAdmin;

    [BindProperty]
    public Guid? AgentId { get; set; }

    [BindProperty]
    public bool AllRights { get; set; }

    [BindProperty]
    public List<Guid> RightIds { get; set; } = [];

    [BindProperty]
    public string? ValidFrom { get; set; }

    [BindProperty]
    public string? ValidUntil { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    [BindProperty]
    public Guid RevokeId { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAuthoriseAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            await agents.CreateAsync(new NewAgentAuthorisation(AgentId, AllRights, AllRights ? null : RightIds, ValidFrom, ValidUntil, Note), cancellationToken);
            Flash = text["agents.authorised"];
            return Redirect("/agents");
        });
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            await agents.RevokeAsync(RevokeId, cancellationToken);
            Flash = text["agents.revoked_done"];
            return Redirect("/agents");
        });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        List = await agents.ListAsync(cancellationToken);
        if (CanAuthorise)
        {
            Agents = (await organisations.ListAsync("agent", null, cancellationToken)).Where(o => o.IsActive).Select(o => new OrganisationRef(o.Id, o.NameEn, o.NameZh, o.Kind)).ToList();
            MyRights = (await search.SearchAsync(new RightFilter(Owner: Caller.OrganisationId.ToString(), Limit: "200"), cancellationToken)).Items;
        }
    }
}
