using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Organisations;

[Authorize(Policy = Policies.PlatformAdmin)]
public sealed class IndexModel(OrganisationStore organisations) : TracemarkPageModel
{
    public IReadOnlyList<OrganisationView> Organisations { get; private set; } = [];

    [BindProperty]
    public string? Kind { get; set; }

    [BindProperty]
    public string? NameEn { get; set; }

    [BindProperty]
    public string? NameZh { get; set; }

    [BindProperty]
    public string? Country { get; set; }

    [BindProperty]
    public Guid OrganisationId { get; set; }

    [BindProperty]
    public bool Active { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Organisations = await organisations.ListAsync(null, null, cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            var rules = new FieldRules();
            var kind = QueryValues.Enum<OrganisationKind>(rules, "kind", Kind);
            rules.ThrowIfAny();
            await organisations.CreateAsync(new NewOrganisation(kind, NameEn, NameZh, Country, null), cancellationToken);
            return RedirectToPage();
        });
        Organisations = await organisations.ListAsync(null, null, cancellationToken);
        return result;
    }

    public async Task<IActionResult> OnPostActiveAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await organisations.ChangeAsync(OrganisationId, new OrganisationChange(null, null, null, Active), cancellationToken);
            return RedirectToPage();
        });
        Organisations = await organisations.ListAsync(null, null, cancellationToken);
        return result;
    }
}
