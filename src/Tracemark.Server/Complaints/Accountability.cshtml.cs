using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Organisations;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>
/// Who is held to account, each side seeing its own record: a platform sets its repeat-infringer policy and
/// fast-track standard, sees its sellers' strikes and suspension recommendations and records what it did, and
/// sees the accuracy of the complainants it fast-tracks; a complainant sees its accuracy with every platform.
/// </summary>
public sealed class AccountabilityModel(ComplaintRulesStore rules, ComplaintSanctions sanctions, IStringLocalizer<ComplaintsText> text) : TracemarkPageModel
{
    public bool IsPlatform { get; private set; }

    public bool MaySetPolicy { get; private set; }

    public bool MayAct { get; private set; }

    public PlatformView? Platform { get; private set; }

    public IReadOnlyList<SellerStrikesView> Sellers { get; private set; } = [];

    public IReadOnlyList<AccuracyView> Accuracy { get; private set; } = [];

    [BindProperty]
    public bool Accepting { get; set; } = true;

    [BindProperty]
    public int? StrikeLimit { get; set; }

    [BindProperty]
    public int? StrikeWindowDays { get; set; }

    [BindProperty]
    public int? AccuracyWindowDays { get; set; }

    /// <summary>Percent on the page, a share in the API.</summary>
    [BindProperty]
    public decimal? MinUpheldPercent { get; set; }

    [BindProperty]
    public decimal? MaxCounterSuccessPercent { get; set; }

    [BindProperty]
    public int? AccuracyMinDecided { get; set; }

    [BindProperty]
    public string? Reasons { get; set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await LoadAsync(fillForm: true, cancellationToken);
            return Page();
        });

    public async Task<IActionResult> OnPostPolicyAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            var change = new PlatformChange(
                null, null, Accepting, StrikeLimit, StrikeWindowDays, AccuracyWindowDays, MinUpheldPercent / 100m, MaxCounterSuccessPercent / 100m, AccuracyMinDecided);
            await rules.SetPlatformAsync(Caller.OrganisationId!.Value, change, cancellationToken);
            Flash = text["acc.policy_saved"];
            return Redirect("/complaints/accountability");
        });
        return await ReloadAfterErrorAsync(result, cancellationToken);
    }

    public async Task<IActionResult> OnPostResolveAsync(Guid recommendation, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await sanctions.ResolveRecommendationAsync(recommendation, new ReasonsInput(Reasons), cancellationToken);
            Flash = text["acc.resolved"];
            return Redirect("/complaints/accountability");
        });
        return await ReloadAfterErrorAsync(result, cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid complainant, CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await sanctions.RevokeFastTrackAsync(complainant, cancellationToken);
            Flash = text["acc.revoked"];
            return Redirect("/complaints/accountability");
        });
        return await ReloadAfterErrorAsync(result, cancellationToken);
    }

    /// <summary>A refused change shows the page again with what was typed and the reason.</summary>
    private async Task<IActionResult> ReloadAfterErrorAsync(IActionResult result, CancellationToken cancellationToken)
    {
        if (result is Microsoft.AspNetCore.Mvc.RazorPages.PageResult)
        {
            await LoadAsync(fillForm: false, cancellationToken);
        }

        return result;
    }

    private async Task LoadAsync(bool fillForm, CancellationToken cancellationToken)
    {
        var organisation = Caller.OrganisationId!.Value;
        IsPlatform = Caller.OrganisationKind == OrganisationKind.Platform;
        if (IsPlatform)
        {
            MaySetPolicy = Caller.IsOrgAdmin;
            MayAct = Caller.CanWrite;
            Platform = await rules.FindPlatformAsync(organisation, cancellationToken);
            if (Platform is null)
            {
                return;
            }

            if (fillForm)
            {
                Accepting = Platform.Accepting;
                StrikeLimit = Platform.StrikeLimit;
                StrikeWindowDays = Platform.StrikeWindowDays;
                AccuracyWindowDays = Platform.AccuracyWindowDays;
                MinUpheldPercent = Platform.MinUpheldShare * 100m;
                MaxCounterSuccessPercent = Platform.MaxCounterSuccessShare * 100m;
                AccuracyMinDecided = Platform.AccuracyMinDecided;
            }

            Sellers = await sanctions.SellersAsync(null, null, cancellationToken);
            var fastTracked = (await sanctions.FastTrackAsync(cancellationToken)).Where(f => f.RevokedAt is null).Select(f => f.Complainant.Id).Distinct().ToList();
            var accuracy = new List<AccuracyView>();
            foreach (var complainant in fastTracked)
            {
                accuracy.Add(await sanctions.AccuracyAsync(complainant.ToString(), null, cancellationToken));
            }

            Accuracy = accuracy;
        }
        else
        {
            var accuracy = new List<AccuracyView>();
            foreach (var platform in await rules.ListPlatformsAsync(cancellationToken))
            {
                accuracy.Add(await sanctions.AccuracyAsync(null, platform.Organisation.Id.ToString(), cancellationToken));
            }

            Accuracy = accuracy;
        }
    }

    public static string Percent(decimal? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "";
}
