using System.Globalization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Tests.Complaints;

/// <summary>Deadlines of notices under the PRC and US presets (the 0043 migration's data), counted in each jurisdiction's calendar.</summary>
public sealed class ComplaintClockTests
{
    private static readonly WorkingDayCalendar China = Calendar("CN", "Asia/Shanghai", "2026-12-31",
        ("2026-02-14", DayKind.Working), ("2026-02-15", DayKind.Holiday), ("2026-02-16", DayKind.Holiday), ("2026-02-17", DayKind.Holiday),
        ("2026-02-18", DayKind.Holiday), ("2026-02-19", DayKind.Holiday), ("2026-02-20", DayKind.Holiday), ("2026-02-21", DayKind.Holiday),
        ("2026-02-22", DayKind.Holiday), ("2026-02-23", DayKind.Holiday), ("2026-02-28", DayKind.Working),
        ("2026-09-20", DayKind.Working), ("2026-10-01", DayKind.Holiday), ("2026-10-02", DayKind.Holiday), ("2026-10-03", DayKind.Holiday),
        ("2026-10-04", DayKind.Holiday), ("2026-10-05", DayKind.Holiday), ("2026-10-06", DayKind.Holiday), ("2026-10-07", DayKind.Holiday),
        ("2026-10-10", DayKind.Working));

    private static readonly WorkingDayCalendar UnitedStates = Calendar("US", "America/New_York", "2027-12-31",
        ("2026-11-26", DayKind.Holiday), ("2026-12-25", DayKind.Holiday), ("2027-01-01", DayKind.Holiday));

    private static readonly JurisdictionPreset Prc = new(
        "CN", "CN", Period.CalendarDays(15), null, RestoreStart.CounterNoticeForwarded, Period.WorkingDays(1), Period.CalendarDays(15), 90,
        new Dictionary<InfringementKind, ServiceLevel>
        {
            [InfringementKind.Counterfeit] = new(Period.Hours(24), Period.Hours(4)),
            [InfringementKind.TrademarkMisuse] = new(Period.WorkingDays(3), Period.WorkingDays(1)),
        });

    private static readonly JurisdictionPreset Dmca = new(
        "US", "US", Period.WorkingDays(10), Period.WorkingDays(14), RestoreStart.CounterNoticeReceived, Period.WorkingDays(1), Period.CalendarDays(14), 90,
        new Dictionary<InfringementKind, ServiceLevel> { [InfringementKind.Copyright] = new(Period.Hours(24), Period.Hours(4)) });

    [Theory]
    // PRC art. 43: 15 days after forwarding, across the National Day week (calendar days: holidays count).
    [InlineData("CN", "2026-09-27T04:00:00Z", "2026-09-28T04:00:00Z", "2026-10-13T16:00:00Z", "2026-10-13T16:00:00Z")]
    // PRC: the count starts from forwarding, however long the counter-notice waited before it.
    [InlineData("CN", "2026-03-02T02:00:00Z", "2026-03-09T02:00:00Z", "2026-03-24T16:00:00Z", "2026-03-24T16:00:00Z")]
    // DMCA: 10 to 14 business days after receipt, skipping Thanksgiving, in Eastern time.
    [InlineData("US", "2026-11-20T15:00:00Z", "2026-11-20T18:00:00Z", "2026-12-08T05:00:00Z", "2026-12-12T05:00:00Z")]
    // DMCA: counted from receipt, so a late forward does not lengthen it; Christmas and New Year skipped.
    [InlineData("US", "2026-12-17T15:00:00Z", "2026-12-21T15:00:00Z", "2027-01-05T05:00:00Z", "2027-01-09T05:00:00Z")]
    public void The_restore_window_is_counted_from_the_event_the_law_names(string jurisdiction, string received, string forwarded, string notBefore, string latest)
    {
        var (calendar, preset) = jurisdiction == "CN" ? (China, Prc) : (UnitedStates, Dmca);
        var window = ComplaintClock.Restore(calendar, preset, At(received), At(forwarded));
        Assert.Equal(At(notBefore), window.NotBefore);
        Assert.Equal(At(latest), window.Latest);
        Assert.False(window.Provisional);
    }

    [Theory]
    // Counterfeits: 24 clock hours, holidays or not; 4 on the fast track.
    [InlineData(InfringementKind.Counterfeit, false, "2026-02-15T02:00:00Z", "2026-02-16T02:00:00Z")]
    [InlineData(InfringementKind.Counterfeit, true, "2026-02-15T02:00:00Z", "2026-02-15T06:00:00Z")]
    // Trademark misuse: 3 working days; the Spring Festival make-up Saturday counts, the holidays do not.
    [InlineData(InfringementKind.TrademarkMisuse, false, "2026-02-13T02:00:00Z", "2026-02-25T16:00:00Z")]
    [InlineData(InfringementKind.TrademarkMisuse, true, "2026-02-13T02:00:00Z", "2026-02-14T16:00:00Z")]
    public void Service_levels_run_in_their_own_unit(InfringementKind kind, bool fastTrack, string submitted, string due) =>
        Assert.Equal(At(due), ComplaintClock.ReviewDue(China, Prc, kind, fastTrack, At(submitted)).Due);

    [Fact]
    public void A_kind_without_a_service_level_is_a_configuration_bug() =>
        Assert.Throws<InvalidOperationException>(() => ComplaintClock.ReviewDue(China, Prc, InfringementKind.Patent, false, At("2026-03-02T02:00:00Z")));

    [Theory]
    // One working day to forward: a counter-notice on the eve of National Day is due after the holiday week.
    [InlineData("2026-09-30T04:00:00Z", "2026-10-08T16:00:00Z")]
    [InlineData("2026-03-02T04:00:00Z", "2026-03-03T16:00:00Z")]
    public void Forwarding_is_due_within_a_working_day(string received, string due) =>
        Assert.Equal(At(due), ComplaintClock.ForwardDue(China, Prc, At(received)).Due);

    [Fact]
    public void A_count_past_the_known_holidays_is_provisional()
    {
        var window = ComplaintClock.Restore(China, Prc with { Restore = Period.WorkingDays(10) }, At("2026-12-24T02:00:00Z"), At("2026-12-24T02:00:00Z"));
        Assert.True(window.Provisional);
    }

    [Theory]
    [InlineData("2026-10-13T15:59:59Z", false)]
    [InlineData("2026-10-13T16:00:00Z", true)]
    public void A_complaint_or_lawsuit_counts_only_before_the_period_ends(string now, bool refused)
    {
        var end = At("2026-10-13T16:00:00Z");
        if (refused)
        {
            Assert.Equal("complaint.period_over", Assert.Throws<RuleViolationException>(() => ComplaintClock.CheckActionInTime(At(now), end)).Code);
        }
        else
        {
            ComplaintClock.CheckActionInTime(At(now), end);
        }
    }

    [Theory]
    [InlineData("2026-03-17T15:59:59Z", false)]
    [InlineData("2026-03-17T16:00:00Z", true)]
    public void An_appeal_counts_only_within_its_window(string now, bool refused)
    {
        var due = ComplaintClock.AppealDue(China, Prc, At("2026-03-02T02:00:00Z")).Due;
        Assert.Equal(At("2026-03-17T16:00:00Z"), due);
        if (refused)
        {
            Assert.Equal("complaint.appeal_too_late", Assert.Throws<RuleViolationException>(() => ComplaintClock.CheckAppealInTime(At(now), due)).Code);
        }
        else
        {
            ComplaintClock.CheckAppealInTime(At(now), due);
        }
    }

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    private static WorkingDayCalendar Calendar(string code, string zone, string knownUntil, params (string Day, DayKind Kind)[] days) =>
        new(code, TimeZoneInfo.FindSystemTimeZoneById(zone), [DayOfWeek.Saturday, DayOfWeek.Sunday],
            days.ToDictionary(d => DateOnly.Parse(d.Day, CultureInfo.InvariantCulture), d => d.Kind), new DateOnly(2025, 1, 1),
            DateOnly.Parse(knownUntil, CultureInfo.InvariantCulture));
}
