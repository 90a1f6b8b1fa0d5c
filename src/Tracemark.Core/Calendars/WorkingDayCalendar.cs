namespace Tracemark.Core.Calendars;

/// <summary>How a legal period is counted.</summary>
public enum PeriodUnit
{
    /// <summary>Clock hours from the event (service-level clocks such as "24 hours").</summary>
    Hours,

    /// <summary>Calendar days after the day of the event.</summary>
    CalendarDays,

    /// <summary>Working days of the jurisdiction after the day of the event (weekends, holidays skipped; make-up days counted).</summary>
    WorkingDays,
}

/// <summary>
/// A legal period: "10 working days", "15 days", "24 hours". <see cref="ExtendToWorkingDay"/> moves the
/// end of a calendar-day period that falls on a day off to the next working day, as many procedural
/// laws do (e.g. PRC Civil Procedure Law art. 85).
/// </summary>
public readonly record struct Period(int Length, PeriodUnit Unit, bool ExtendToWorkingDay = false)
{
    public static Period WorkingDays(int days) => new(days, PeriodUnit.WorkingDays);

    public static Period CalendarDays(int days, bool extendToWorkingDay = false) => new(days, PeriodUnit.CalendarDays, extendToWorkingDay);

    public static Period Hours(int hours) => new(hours, PeriodUnit.Hours);

    public override string ToString() => $"{Length.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Unit}";
}

public enum DayKind
{
    /// <summary>A day off on a day that would be worked (public holiday).</summary>
    Holiday,

    /// <summary>A working day on a day that would be off (the PRC's make-up working days, 调休).</summary>
    Working,
}

/// <summary>The end of a period, and whether the calendar knew every day it counted.</summary>
/// <param name="Due">The instant the period ends: midnight at the end of its last day in the jurisdiction's time zone (or the exact hour).</param>
/// <param name="LastDay">The last day of the period in the jurisdiction's local time.</param>
/// <param name="Provisional">True when the count ran past the days the calendar's holidays are known for: weekends only were assumed there.</param>
public sealed record DeadlineResult(DateTimeOffset Due, DateOnly LastDay, bool Provisional);

/// <summary>
/// One jurisdiction's working days: its weekend, its time zone, and the dates that differ (holidays,
/// make-up working days), known between <see cref="KnownFrom"/> and <see cref="KnownUntil"/>. Every
/// deadline in the product is computed here, so customs, complaints and cases count days alike.
/// </summary>
public sealed class WorkingDayCalendar
{
    private readonly Dictionary<DateOnly, DayKind> _exceptions;
    private readonly HashSet<DayOfWeek> _weekend;

    public WorkingDayCalendar(string code, TimeZoneInfo zone, IEnumerable<DayOfWeek> weekend, IReadOnlyDictionary<DateOnly, DayKind> exceptions, DateOnly knownFrom, DateOnly knownUntil)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        if (knownUntil < knownFrom)
        {
            throw new ArgumentException("A calendar cannot end before it starts.", nameof(knownUntil));
        }

        Code = code;
        Zone = zone;
        _weekend = [.. weekend];
        _exceptions = new Dictionary<DateOnly, DayKind>(exceptions);
        KnownFrom = knownFrom;
        KnownUntil = knownUntil;
    }

    public string Code { get; }

    public TimeZoneInfo Zone { get; }

    public DateOnly KnownFrom { get; }

    public DateOnly KnownUntil { get; }

    public IReadOnlySet<DayOfWeek> Weekend => _weekend;

    public bool IsWorkingDay(DateOnly day) => _exceptions.TryGetValue(day, out var kind)
        ? kind == DayKind.Working
        : !_weekend.Contains(day.DayOfWeek);

    /// <summary>The local date of an instant in this jurisdiction.</summary>
    public DateOnly LocalDay(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    /// <summary>
    /// When a period that starts with an event at <paramref name="from"/> ends. Days are counted from
    /// the day after the event's local day (the day of the event never counts); the period ends at
    /// the end of its last day. An event on a day off starts the count from the next day all the same.
    /// </summary>
    public DeadlineResult Deadline(DateTimeOffset from, Period period)
    {
        if (period.Length < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A period cannot be negative.");
        }

        if (period.Unit == PeriodUnit.Hours)
        {
            var due = from.ToUniversalTime().AddHours(period.Length);
            return new DeadlineResult(due, LocalDay(due), false);
        }

        var day = LocalDay(from);
        var provisional = false;
        if (period.Unit == PeriodUnit.CalendarDays)
        {
            day = day.AddDays(period.Length);
            if (period.ExtendToWorkingDay)
            {
                while (!IsWorkingDay(day))
                {
                    provisional |= day > KnownUntil;
                    day = day.AddDays(1);
                }
            }

            provisional |= period.ExtendToWorkingDay && day > KnownUntil;
        }
        else
        {
            var remaining = period.Length;
            while (remaining > 0)
            {
                day = day.AddDays(1);
                provisional |= day > KnownUntil || day < KnownFrom;
                if (IsWorkingDay(day))
                {
                    remaining--;
                }
            }
        }

        return new DeadlineResult(EndOfDay(day), day, provisional);
    }

    /// <summary>Working days strictly after the local day of <paramref name="from"/> up to and including the local day of <paramref name="to"/>.</summary>
    public int WorkingDaysBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var count = 0;
        for (var day = LocalDay(from).AddDays(1); day <= LocalDay(to); day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Midnight at the end of <paramref name="day"/> in this jurisdiction, as a UTC instant (handles daylight saving).</summary>
    public DateTimeOffset EndOfDay(DateOnly day)
    {
        var localMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

        // A midnight skipped by a daylight-saving jump does not exist: the day then ends at the first instant that does.
        while (Zone.IsInvalidTime(localMidnight))
        {
            localMidnight = localMidnight.AddMinutes(30);
        }

        return new DateTimeOffset(localMidnight, Zone.GetUtcOffset(localMidnight)).ToUniversalTime();
    }
}
