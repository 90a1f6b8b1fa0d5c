using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Errors;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Alerts;

public sealed class DetailModel(AlertStore alerts, SharingGroupStore groups, IStringLocalizer<AlertsText> text) : TracemarkPageModel
{
    public AlertView? Alert { get; private set; }

    public DistributionChoice Sharing { get; private set; } = new([], "organisation", [], null);

    /// <summary>The owner's officers see the widen form; everyone else reads only.</summary>
    public bool CanWiden => Alert is not null && Alert.Owner.Id == Caller.OrganisationId && Caller.CanWrite && Alert.Distribution != Core.Sharing.Distribution.Public;

    [BindProperty]
    public string? Distribution { get; set; }

    [BindProperty]
    public Guid? SharingGroupId { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        await LoadAsync(id, cancellationToken);
        return await AttemptAsync(async () =>
        {
            if (!Distributions.TryParse(Distribution, out var level))
            {
                throw new InputValidationException("distribution", "required");
            }

            Alert = await alerts.ChangeAsync(id, new AlertChange(null, null, null, null, null, null, null, level, level == Core.Sharing.Distribution.Group ? SharingGroupId : null), cancellationToken);
            Flash = text["widen.done"];
            return Redirect($"/alerts/{id}");
        });
    }

    private async Task LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        // A record the reader may not see is "not found", exactly like one that does not exist.
        Alert = await alerts.GetAsync(id, cancellationToken);
        var current = Distributions.ToWire(Alert.Distribution);
        var wider = Enum.GetValues<Core.Sharing.Distribution>()
            .Where(level => level == Alert.Distribution || Distributions.CheckChange(Alert.Distribution, Alert.SharingGroupId, level, level == Core.Sharing.Distribution.Group ? Guid.Empty : null, groupMembersAllOnThisNode: true) == DistributionChange.Allowed)
            .Select(Distributions.ToWire)
            .ToList();
        var groupChoices = wider.Contains("group", StringComparer.Ordinal) ? await groups.ListAsync(cancellationToken) : [];
        Sharing = new DistributionChoice(wider, Distribution ?? current, groupChoices, SharingGroupId ?? Alert.SharingGroupId);
    }
}
