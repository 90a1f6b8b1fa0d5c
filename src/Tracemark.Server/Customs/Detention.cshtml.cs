using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Errors;
using Tracemark.Server.Calendars;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

/// <summary>
/// One detention: its deadline and whose move it is, the photos and history; the right holder answers here (confirm or
/// deny with reasons, in one step) and customs records the next step (notices, outcomes with certificate and date).
/// </summary>
public sealed class DetentionModel(DetentionStore detentions, CustomsWords words, CalendarStore calendars, IStringLocalizer<CustomsText> text) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty]
    public string? Decision { get; set; }

    [BindProperty]
    public string? Reasons { get; set; }

    [BindProperty]
    public string? SecurityAmount { get; set; }

    [BindProperty]
    public string? SecurityCurrency { get; set; }

    [BindProperty]
    public string? Action { get; set; }

    [BindProperty]
    public string? Certificate { get; set; }

    [BindProperty]
    public string? Date { get; set; }

    [BindProperty]
    public string? Recipient { get; set; }

    [BindProperty]
    public string? Note { get; set; }

    public DetentionView? Detention { get; private set; }

    public CustomsWords Words => words;

    /// <summary>The detaining office's time zone: the law counts its days there, so deadlines are shown in it too.</summary>
    public TimeZoneInfo? Zone { get; private set; }

    /// <summary>An instant as the office's local time, with its zone.</summary>
    public string Local(DateTimeOffset instant) => Zone is { } zone
        ? TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (" + zone.Id + ")"
        : instant.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The holder's answers open now (confirm, deny), until it has answered once; withdrawing and "proceedings" stay with the API.</summary>
    public IReadOnlyList<string> HolderDecisions => Detention is { HolderPosition: "none" } d ? [.. d.AllowedActions.Where(a => a is "confirm" or "deny")] : [];

    public IReadOnlyList<string> OfficerActions => Detention?.AllowedActions.Where(a => a is not ("confirm" or "deny" or "proceedings") && a != "refer_to_police").ToList() ?? [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRespondAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            var rules = new FieldRules();
            var amount = Amount(rules, "securityAmount", SecurityAmount);
            rules.ThrowIfAny();
            await detentions.RespondAsync(Id, new HolderResponse(Decision, Reasons, amount, string.IsNullOrWhiteSpace(SecurityCurrency) ? null : SecurityCurrency, null), cancellationToken);
            Flash = text["detention.responded"];
            return Redirect($"/customs/detentions/{Id}");
        });
        if (result is PageResult)
        {
            // The form comes back with its errors: the page needs the detention (a redirect does not).
            await LoadAsync(cancellationToken);
        }

        return result;
    }

    public async Task<IActionResult> OnPostActAsync(CancellationToken cancellationToken)
    {
        var result = await AttemptAsync(async () =>
        {
            await detentions.ActAsync(Id, new DetentionActionInput(Action, Note, null, string.IsNullOrWhiteSpace(Date) ? null : Date, Certificate, Recipient, null, null), cancellationToken);
            Flash = text["detention.acted"];
            return Redirect($"/customs/detentions/{Id}");
        });
        if (result is PageResult)
        {
            // The form comes back with its errors: the page needs the detention (a redirect does not).
            await LoadAsync(cancellationToken);
        }

        return result;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Detention = await detentions.GetAsync(Id, cancellationToken);
        Zone = (await calendars.GetAsync(Detention.Calendar, cancellationToken)).Zone;
    }

    private static decimal? Amount(FieldRules rules, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        rules.Add(field, "customs.amount_invalid", text.Trim());
        return null;
    }
}
