using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Alerts;
using Tracemark.Core.Sharing;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Sharing;

namespace Tracemark.Server.Alerts;

/// <summary>The distribution radio buttons and the group picker, shared by the create and widen forms.</summary>
public sealed record DistributionChoice(IReadOnlyList<string> Levels, string Current, IReadOnlyList<SharingGroupView> Groups, Guid? GroupId);

[Authorize(Policy = Policies.Writer)]
public sealed class NewModel(AlertStore alerts, SharingGroupStore groups, IStringLocalizer<AlertsText> text) : TracemarkPageModel
{
    [BindProperty]
    public string? Title { get; set; }

    [BindProperty]
    public string? Body { get; set; }

    [BindProperty]
    public string? ProductCategory { get; set; }

    [BindProperty]
    public string? RightsConcerned { get; set; }

    [BindProperty]
    public string? OriginCountries { get; set; }

    [BindProperty]
    public string? DestinationCountries { get; set; }

    [BindProperty]
    public string? Severity { get; set; }

    [BindProperty]
    public string? Distribution { get; set; }

    [BindProperty]
    public Guid? SharingGroupId { get; set; }

    public DistributionChoice Sharing { get; private set; } = new([], "organisation", [], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            var rules = new Core.Errors.FieldRules();
            var severity = QueryValues.Enum<Severity>(rules, "severity", Severity);
            var level = Distributions.TryParse(Distribution ?? "organisation", out var parsed) ? parsed : Core.Sharing.Distribution.Organisation;
            rules.ThrowIfAny();
            var alert = await alerts.CreateAsync(
                new NewAlert(Title, Body, ProductCategory, RightsConcerned, SplitCountries(OriginCountries), SplitCountries(DestinationCountries), severity, level, level == Core.Sharing.Distribution.Group ? SharingGroupId : null),
                cancellationToken);
            Flash = text["new.created"];
            return Redirect($"/alerts/{alert.Id}");
        });
    }

    /// <summary>"CN, de ；US" → ["CN", "de", "US"]: commas, spaces and the full-width punctuation Chinese keyboards type.</summary>
    public static IReadOnlyList<string> SplitCountries(string? text) =>
        (text ?? "").Split([',', ' ', ';', '，', '；', '、', '\u3000'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var mine = await groups.ListAsync(cancellationToken);
        Sharing = new DistributionChoice(["organisation", "group", "node", "partners", "public"], Distribution ?? "organisation", mine, SharingGroupId);
    }
}
