using System.Globalization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Calendars;

public static class CalendarsSetup
{
    public static WebApplicationBuilder AddCalendars(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CalendarCache>();
        builder.Services.AddScoped<CalendarStore>();
        builder.Services.AddNavigation("/calendars", "nav.calendars", "read", 85);
        return builder;
    }

    public static WebApplication MapCalendars(this WebApplication app)
    {
        var calendars = app.MapGroup("/api/v1/calendars").WithTags("Calendars");
        calendars.MapGet("/", (CalendarStore store, CancellationToken cancellationToken) => store.ListAsync(cancellationToken))
            .WithSummary("The working-day calendars deadlines are counted in.");
        calendars.MapGet("/{code}/days", (string code, string? from, string? to, CalendarStore store, CancellationToken cancellationToken) =>
        {
            var rules = new FieldRules();
            var start = ParseDay(rules, "from", from) ?? new DateOnly(DateTime.UtcNow.Year, 1, 1);
            var end = ParseDay(rules, "to", to) ?? start.AddYears(1).AddDays(-1);
            if (end < start)
            {
                rules.Add("to", "date.before_start", start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            rules.ThrowIfAny();
            return store.DaysAsync(code, start, end, cancellationToken);
        }).WithSummary("A calendar's holidays and make-up working days between two dates.");
        calendars.MapGet("/{code}/deadline", (string code, string? from, string? length, string? unit, string? extend, CalendarStore store, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            var rules = new FieldRules();
            var start = QueryValues.Instant(rules, "from", from) ?? clock.GetUtcNow();
            var count = QueryValues.Number(rules, "length", length);
            if (count is null && length is null)
            {
                rules.Add("length", "required");
            }
            else if (count is < 0 or > 3650)
            {
                rules.Add("length", "out_of_range", 0, 3650);
            }

            var periodUnit = QueryValues.Enum<PeriodUnit>(rules, "unit", unit) ?? PeriodUnit.WorkingDays;
            var extendToWorkingDay = QueryValues.Bool(rules, "extend", extend) ?? false;
            rules.ThrowIfAny();
            return store.DeadlineAsync(code, start, new Period(count!.Value, periodUnit, extendToWorkingDay), cancellationToken);
        }).WithSummary("When a period starting at an instant ends in this calendar (e.g. 10 working days).");
        calendars.MapPut("/{code}/days/{day}", async (string code, string day, CalendarDayChange body, CalendarStore store, CancellationToken cancellationToken) =>
        {
            await store.SetDayAsync(code, RequiredDay(day), body, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.PlatformAdmin).WithSummary("Declare a holiday or a make-up working day (platform administrator).");
        calendars.MapDelete("/{code}/days/{day}", async (string code, string day, CalendarStore store, CancellationToken cancellationToken) =>
        {
            await store.RemoveDayAsync(code, RequiredDay(day), cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.PlatformAdmin).WithSummary("Remove a holiday or make-up working day (platform administrator).");
        calendars.MapPatch("/{code}", (string code, CalendarChange body, CalendarStore store, CancellationToken cancellationToken) => store.ChangeAsync(code, body, cancellationToken))
            .RequireAuthorization(Policies.PlatformAdmin).WithSummary("Extend the range a calendar's holidays are known for (platform administrator).");
        return app;
    }

    private static DateOnly RequiredDay(string value)
    {
        var rules = new FieldRules();
        var day = ParseDay(rules, "day", value);
        rules.ThrowIfAny();
        return day!.Value;
    }

    private static DateOnly? ParseDay(FieldRules rules, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }

        rules.Add(field, "date.invalid", value);
        return null;
    }
}
