using Tracemark.Core.Calendars;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Complaints;

/// <summary>How fast a platform must decide a notice of one kind: normally, and for complainants on the fast track.</summary>
public sealed record ServiceLevel(Period Review, Period FastTrackReview);

/// <summary>
/// A jurisdiction's rules for notices, as data the platform administrator edits (PRC E-commerce Law
/// arts. 42–45, US DMCA § 512(g), …): how long the complainant has after a counter-notice, when that
/// period starts, the platform's clocks, and which working-day calendar counts the days. <see cref="Restore"/>
/// is the period after which the measure is lifted unless a complaint or lawsuit is shown (PRC: 15 days;
/// DMCA: 10 business days); <see cref="RestoreLatest"/> the latest it must be lifted when the law gives a
/// window (DMCA: 14 business days), null when that is <see cref="Restore"/>.
/// </summary>
public sealed record JurisdictionPreset(
    string Code,
    string CalendarCode,
    Period Restore,
    Period? RestoreLatest,
    RestoreStart RestoreFrom,
    Period ForwardSla,
    Period AppealWindow,
    int SellerLinkDays,
    IReadOnlyDictionary<InfringementKind, ServiceLevel> ServiceLevels);

/// <summary>When the restore period of a notice ends: not before <see cref="NotBefore"/>, at the latest by <see cref="Latest"/>.</summary>
public sealed record RestoreWindow(DateTimeOffset NotBefore, DateTimeOffset Latest, bool Provisional);

/// <summary>Every deadline of a notice, counted in the jurisdiction's working-day calendar (the one calendar of the product).</summary>
public static class ComplaintClock
{
    /// <summary>When the platform must have decided a notice filed at <paramref name="submittedAt"/>.</summary>
    public static DeadlineResult ReviewDue(WorkingDayCalendar calendar, JurisdictionPreset preset, InfringementKind kind, bool fastTrack, DateTimeOffset submittedAt)
    {
        var level = preset.ServiceLevels.TryGetValue(kind, out var found)
            ? found
            : throw new InvalidOperationException($"The preset {preset.Code} has no service level for {kind}.");
        return calendar.Deadline(submittedAt, fastTrack ? level.FastTrackReview : level.Review);
    }

    /// <summary>When the platform must have forwarded a counter-notice received at <paramref name="receivedAt"/>.</summary>
    public static DeadlineResult ForwardDue(WorkingDayCalendar calendar, JurisdictionPreset preset, DateTimeOffset receivedAt) =>
        calendar.Deadline(receivedAt, preset.ForwardSla);

    /// <summary>Until when the seller may appeal a decision made at <paramref name="decidedAt"/>.</summary>
    public static DeadlineResult AppealDue(WorkingDayCalendar calendar, JurisdictionPreset preset, DateTimeOffset decidedAt) =>
        calendar.Deadline(decidedAt, preset.AppealWindow);

    /// <summary>The restore window of a counter-notice received at <paramref name="receivedAt"/> and forwarded at <paramref name="forwardedAt"/>.</summary>
    public static RestoreWindow Restore(WorkingDayCalendar calendar, JurisdictionPreset preset, DateTimeOffset receivedAt, DateTimeOffset forwardedAt)
    {
        var start = preset.RestoreFrom == RestoreStart.CounterNoticeReceived ? receivedAt : forwardedAt;
        var notBefore = calendar.Deadline(start, preset.Restore);
        var latest = preset.RestoreLatest is { } window ? calendar.Deadline(start, window) : notBefore;
        return new RestoreWindow(notBefore.Due, latest.Due < notBefore.Due ? notBefore.Due : latest.Due, notBefore.Provisional || latest.Provisional);
    }

    /// <summary>
    /// A complaint or lawsuit counts only when shown before the period ends (PRC art. 43: "within 15 days";
    /// DMCA: "unless … first receives notice"); after that the measure is due to be lifted.
    /// </summary>
    public static void CheckActionInTime(DateTimeOffset now, DateTimeOffset restoreNotBefore)
    {
        if (now >= restoreNotBefore)
        {
            throw new RuleViolationException("complaint.period_over", "The period to show a complaint or lawsuit has ended.", null, true, restoreNotBefore.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>An appeal after its window is refused.</summary>
    public static void CheckAppealInTime(DateTimeOffset now, DateTimeOffset? appealDue)
    {
        if (appealDue is { } due && now >= due)
        {
            throw new RuleViolationException("complaint.appeal_too_late", "The time to appeal this decision has ended.", null, true, due.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
