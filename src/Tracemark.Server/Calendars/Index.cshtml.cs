using Microsoft.AspNetCore.Mvc;
using Tracemark.Core.Calendars;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Calendars;

public sealed class IndexModel(CalendarStore calendars, TimeProvider clock) : TracemarkPageModel
{
    public IReadOnlyList<CalendarView> Calendars { get; private set; } = [];

    public CalendarView? Selected { get; private set; }

    public IReadOnlyList<CalendarDayView> Days { get; private set; } = [];

    public int Year { get; private set; }

    public DeadlineView? Deadline { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Length { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Unit { get; set; }

    public async Task<IActionResult> OnGetAsync(string? code, CancellationToken cancellationToken)
    {
        Calendars = await calendars.ListAsync(cancellationToken);
        if (code is null)
        {
            return Page();
        }

        Selected = Calendars.FirstOrDefault(c => string.Equals(c.Code, code, StringComparison.OrdinalIgnoreCase)) ?? throw new RecordNotFoundException("calendar", code);
        Year = clock.GetUtcNow().Year;
        Days = await calendars.DaysAsync(Selected.Code, new DateOnly(Year, 1, 1), new DateOnly(Year, 12, 31), cancellationToken);
        if (string.IsNullOrEmpty(Length))
        {
            return Page();
        }

        return await AttemptAsync(async () =>
        {
            var rules = new FieldRules();
            var start = QueryValues.Instant(rules, "from", From) ?? clock.GetUtcNow();
            var count = QueryValues.Number(rules, "length", Length);
            var unit = QueryValues.Enum<PeriodUnit>(rules, "unit", Unit) ?? PeriodUnit.WorkingDays;
            if (count is < 0 or > 3650)
            {
                rules.Add("length", "out_of_range", 0, 3650);
            }

            rules.ThrowIfAny();
            Deadline = await calendars.DeadlineAsync(Selected.Code, start, new Period(count!.Value, unit), cancellationToken);
            return Page();
        });
    }
}
