using System.Globalization;
using Tracemark.Core.Calendars;

namespace Tracemark.Core.Tests.Calendars;

/// <summary>Deadlines as the law counts them, in three jurisdictions, across holidays, make-up days and daylight saving.</summary>
public sealed class WorkingDayCalendarTests
{
    // The same facts the 0040 migration loads, for the dates these cases touch.
    private static readonly WorkingDayCalendar China = Calendar("CN", "Asia/Shanghai", DateOnly.Parse("2026-12-31", CultureInfo.InvariantCulture),
        ("2026-02-14", DayKind.Working), ("2026-02-15", DayKind.Holiday), ("2026-02-16", DayKind.Holiday), ("2026-02-17", DayKind.Holiday),
        ("2026-02-18", DayKind.Holiday), ("2026-02-19", DayKind.Holiday), ("2026-02-20", DayKind.Holiday), ("2026-02-21", DayKind.Holiday),
        ("2026-02-22", DayKind.Holiday), ("2026-02-23", DayKind.Holiday), ("2026-02-28", DayKind.Working),
        ("2026-09-20", DayKind.Working), ("2026-10-01", DayKind.Holiday), ("2026-10-02", DayKind.Holiday), ("2026-10-03", DayKind.Holiday),
        ("2026-10-04", DayKind.Holiday), ("2026-10-05", DayKind.Holiday), ("2026-10-06", DayKind.Holiday), ("2026-10-07", DayKind.Holiday),
        ("2026-10-10", DayKind.Working));

    private static readonly WorkingDayCalendar UnitedStates = Calendar("US", "America/New_York", DateOnly.Parse("2027-12-31", CultureInfo.InvariantCulture),
        ("2026-11-26", DayKind.Holiday), ("2026-12-25", DayKind.Holiday));

    private static readonly WorkingDayCalendar Germany = Calendar("DE", "Europe/Berlin", DateOnly.Parse("2027-12-31", CultureInfo.InvariantCulture),
        ("2026-04-03", DayKind.Holiday), ("2026-04-06", DayKind.Holiday));

    [Theory]
    // PRC: the holder applies within 3 working days of a notice given the day before the Spring Festival make-up Saturday.
    [InlineData("CN", "2026-02-13T02:00:00Z", 3, PeriodUnit.WorkingDays, false, "2026-02-25", "2026-02-25T16:00:00Z")]
    // PRC: the make-up Saturday counts, the nine holiday days do not.
    [InlineData("CN", "2026-02-13T02:00:00Z", 1, PeriodUnit.WorkingDays, false, "2026-02-14", "2026-02-14T16:00:00Z")]
    // PRC E-commerce Law art. 43: 15 days after forwarding; the count is in calendar days.
    [InlineData("CN", "2026-09-28T04:00:00Z", 15, PeriodUnit.CalendarDays, false, "2026-10-13", "2026-10-13T16:00:00Z")]
    // A calendar-day period ending in the National Day week ends on the first working day after it.
    [InlineData("CN", "2026-09-17T04:00:00Z", 15, PeriodUnit.CalendarDays, true, "2026-10-08", "2026-10-08T16:00:00Z")]
    // An event late in the evening UTC is already the next day in Beijing.
    [InlineData("CN", "2026-03-02T17:30:00Z", 1, PeriodUnit.WorkingDays, false, "2026-03-04", "2026-03-04T16:00:00Z")]
    // 19 CFR 133.21: five business days, skipping Thanksgiving, in Eastern time.
    [InlineData("US", "2026-11-25T15:00:00Z", 5, PeriodUnit.WorkingDays, false, "2026-12-03", "2026-12-04T05:00:00Z")]
    // EU Reg. 608/2013: ten working days in Germany, skipping Good Friday and Easter Monday.
    [InlineData("DE", "2026-04-01T08:00:00Z", 10, PeriodUnit.WorkingDays, false, "2026-04-17", "2026-04-17T22:00:00Z")]
    // The day ends at local midnight before and after the switch to summer time (29 March 2026).
    [InlineData("DE", "2026-03-26T08:00:00Z", 1, PeriodUnit.WorkingDays, false, "2026-03-27", "2026-03-27T23:00:00Z")]
    [InlineData("DE", "2026-03-27T08:00:00Z", 1, PeriodUnit.WorkingDays, false, "2026-03-30", "2026-03-30T22:00:00Z")]
    // An event on a Sunday: the next working day is the first one counted.
    [InlineData("DE", "2026-03-01T10:00:00Z", 1, PeriodUnit.WorkingDays, false, "2026-03-02", "2026-03-02T23:00:00Z")]
    // A zero-length period ends with the day of the event.
    [InlineData("CN", "2026-03-02T02:00:00Z", 0, PeriodUnit.WorkingDays, false, "2026-03-02", "2026-03-02T16:00:00Z")]
    // Service-level clocks run in hours, whatever the day.
    [InlineData("CN", "2026-02-15T02:00:00Z", 24, PeriodUnit.Hours, false, "2026-02-16", "2026-02-16T02:00:00Z")]
    public void Deadlines_are_counted_as_the_law_counts_them(string calendar, string from, int length, PeriodUnit unit, bool extend, string lastDay, string due)
    {
        var result = Pick(calendar).Deadline(DateTimeOffset.Parse(from, CultureInfo.InvariantCulture), new Period(length, unit, extend));
        Assert.Equal(DateOnly.Parse(lastDay, CultureInfo.InvariantCulture), result.LastDay);
        Assert.Equal(DateTimeOffset.Parse(due, CultureInfo.InvariantCulture), result.Due);
        Assert.False(result.Provisional);
    }

    [Theory]
    [InlineData("2026-02-14", true)]
    [InlineData("2026-02-15", false)]
    [InlineData("2026-02-23", false)]
    [InlineData("2026-02-24", true)]
    [InlineData("2026-02-28", true)]
    [InlineData("2026-03-01", false)]
    [InlineData("2026-10-08", true)]
    [InlineData("2026-10-10", true)]
    [InlineData("2026-10-11", false)]
    public void Holidays_are_off_and_make_up_days_are_worked_in_China(string day, bool working) =>
        Assert.Equal(working, China.IsWorkingDay(DateOnly.Parse(day, CultureInfo.InvariantCulture)));

    [Fact]
    public void A_count_past_the_known_holidays_is_marked_provisional()
    {
        var result = China.Deadline(DateTimeOffset.Parse("2026-12-30T02:00:00Z", CultureInfo.InvariantCulture), Period.WorkingDays(3));
        Assert.True(result.Provisional);
        Assert.Equal(DateOnly.Parse("2027-01-04", CultureInfo.InvariantCulture), result.LastDay);
        Assert.False(China.Deadline(DateTimeOffset.Parse("2026-12-28T02:00:00Z", CultureInfo.InvariantCulture), Period.WorkingDays(3)).Provisional);
    }

    [Fact]
    public void Working_days_between_two_instants_skip_the_same_days_the_deadline_skips()
    {
        var from = DateTimeOffset.Parse("2026-02-13T02:00:00Z", CultureInfo.InvariantCulture);
        var due = China.Deadline(from, Period.WorkingDays(3));
        Assert.Equal(3, China.WorkingDaysBetween(from, due.Due.AddTicks(-1)));
    }

    [Fact]
    public void A_negative_period_is_a_bug() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => China.Deadline(DateTimeOffset.UnixEpoch, new Period(-1, PeriodUnit.WorkingDays)));

    private static WorkingDayCalendar Pick(string code) => code switch
    {
        "CN" => China,
        "US" => UnitedStates,
        _ => Germany,
    };

    private static WorkingDayCalendar Calendar(string code, string zone, DateOnly knownUntil, params (string Day, DayKind Kind)[] days) =>
        new(code, TimeZoneInfo.FindSystemTimeZoneById(zone), [DayOfWeek.Saturday, DayOfWeek.Sunday],
            days.ToDictionary(d => DateOnly.Parse(d.Day, CultureInfo.InvariantCulture), d => d.Kind), new DateOnly(2025, 1, 1), knownUntil);
}
