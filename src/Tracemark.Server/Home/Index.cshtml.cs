using Tracemark.Server.Accounts;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Home;

/// <summary>The signed-in user's starting point: who they are, for which organisation, and what they may do.</summary>
public sealed class IndexModel(OrganisationStore organisations) : TracemarkPageModel
{
    public new Caller Caller => base.Caller;

    public OrganisationView? Organisation { get; private set; }

    public IReadOnlyList<string> Permissions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Organisation = (await organisations.ListAsync(null, null, cancellationToken)).FirstOrDefault(o => o.Id == Caller.OrganisationId);
        Permissions = AccountEndpoints.Permissions(Caller);
    }
}
