using Tracemark.Core.Errors;

namespace Tracemark.Core.Complaints;

/// <summary>Where a takedown notice is in the legal flow (PRC E-commerce Law arts. 42–45, US DMCA § 512(c) and (g)).</summary>
public enum NoticeState
{
    /// <summary>Filed and in the platform's review queue; the service-level clock runs.</summary>
    Submitted,

    /// <summary>Every listing was already under an open notice: linked to it, not reviewed twice.</summary>
    Linked,

    /// <summary>The platform removed, blocked or restricted the listings and forwarded the notice to the seller.</summary>
    MeasureTaken,

    /// <summary>The platform decided to take no action, with its reasons.</summary>
    NoAction,

    /// <summary>The seller declared non-infringement; the platform has yet to forward the declaration.</summary>
    CounterNoticed,

    /// <summary>The declaration was forwarded to the complainant; the restore period runs.</summary>
    CounterNoticeForwarded,

    /// <summary>The complainant showed a complaint to an authority or a lawsuit in time: the measure stays.</summary>
    ActionFiled,

    /// <summary>The period ended without a complaint or lawsuit: the measure was lifted.</summary>
    Restored,

    /// <summary>The seller appealed the platform's decision.</summary>
    Appealed,

    /// <summary>The appeal succeeded: the measure was lifted.</summary>
    Reversed,

    /// <summary>The complainant withdrew the notice; any measure was lifted.</summary>
    Withdrawn,
}

/// <summary>What a party does to a notice.</summary>
public enum NoticeAction
{
    TakeMeasure,
    Decline,
    CounterNotice,
    ForwardCounterNotice,
    ReportActionFiled,
    Restore,
    Appeal,
    DismissAppeal,
    GrantAppeal,
    Withdraw,
    RecordFinding,
}

/// <summary>Who acts: the complainant (holder or its agent), the platform, the seller (through its link, or relayed by the platform), or the clock.</summary>
public enum Party
{
    Complainant,
    Platform,
    Seller,
    System,
}

/// <summary>What else happens when a transition is made, besides the change of state.</summary>
[Flags]
public enum TransitionEffects
{
    None = 0,

    /// <summary>A strike against each seller of the notice's listings (repeat-infringer policy).</summary>
    AddsStrike = 1 << 0,

    /// <summary>The notice's strikes no longer count.</summary>
    VoidsStrikes = 1 << 1,

    /// <summary>The measure on the listings is lifted.</summary>
    LiftsMeasure = 1 << 2,

    /// <summary>The listings are free for a new notice.</summary>
    ReleasesListings = 1 << 3,

    /// <summary>The seller gets (or keeps) its link; the appeal window starts.</summary>
    InformsSeller = 1 << 4,

    /// <summary>The platform's clock for forwarding the counter-notice starts.</summary>
    StartsForwardClock = 1 << 5,

    /// <summary>The restore period starts.</summary>
    StartsRestoreClock = 1 << 6,
}

/// <summary>One row of the transition table.</summary>
public sealed record Transition(NoticeState From, NoticeAction Action, Party By, NoticeState To, TransitionEffects Effects = TransitionEffects.None);

/// <summary>What the clock does to a notice waiting in a state: flag a missed service level, or act itself.</summary>
public enum TimerKind
{
    /// <summary>The platform did not decide within its service level.</summary>
    ReviewOverdue,

    /// <summary>The platform did not forward the counter-notice within its service level.</summary>
    ForwardOverdue,

    /// <summary>The restore period ended without a complaint or lawsuit: restore.</summary>
    RestoreDue,
}

/// <summary>
/// The legal flow of a notice as a table: which party may do what in which state, and what follows.
/// Everything that moves a notice asks <see cref="Next"/>, so the API, the pages, the seller's link and
/// the sweep cannot disagree about the rules.
/// </summary>
public static class NoticeWorkflow
{
    private const TransitionEffects Lift = TransitionEffects.LiftsMeasure | TransitionEffects.VoidsStrikes | TransitionEffects.ReleasesListings;

    public static readonly IReadOnlyList<Transition> Transitions =
    [
        new(NoticeState.Submitted, NoticeAction.TakeMeasure, Party.Platform, NoticeState.MeasureTaken, TransitionEffects.AddsStrike | TransitionEffects.InformsSeller),
        new(NoticeState.Submitted, NoticeAction.Decline, Party.Platform, NoticeState.NoAction, TransitionEffects.ReleasesListings),
        new(NoticeState.Submitted, NoticeAction.Withdraw, Party.Complainant, NoticeState.Withdrawn, TransitionEffects.ReleasesListings),

        // The seller answers through its link, or through the platform's own channels (the platform relays it).
        new(NoticeState.MeasureTaken, NoticeAction.CounterNotice, Party.Seller, NoticeState.CounterNoticed, TransitionEffects.StartsForwardClock),
        new(NoticeState.MeasureTaken, NoticeAction.CounterNotice, Party.Platform, NoticeState.CounterNoticed, TransitionEffects.StartsForwardClock),
        new(NoticeState.MeasureTaken, NoticeAction.Appeal, Party.Seller, NoticeState.Appealed),
        new(NoticeState.MeasureTaken, NoticeAction.Appeal, Party.Platform, NoticeState.Appealed),
        new(NoticeState.MeasureTaken, NoticeAction.Withdraw, Party.Complainant, NoticeState.Withdrawn, Lift),

        new(NoticeState.CounterNoticed, NoticeAction.ForwardCounterNotice, Party.Platform, NoticeState.CounterNoticeForwarded, TransitionEffects.StartsRestoreClock),
        new(NoticeState.CounterNoticed, NoticeAction.Withdraw, Party.Complainant, NoticeState.Withdrawn, Lift),

        new(NoticeState.CounterNoticeForwarded, NoticeAction.ReportActionFiled, Party.Complainant, NoticeState.ActionFiled),
        new(NoticeState.CounterNoticeForwarded, NoticeAction.Restore, Party.System, NoticeState.Restored, Lift),
        new(NoticeState.CounterNoticeForwarded, NoticeAction.Withdraw, Party.Complainant, NoticeState.Withdrawn, Lift),

        new(NoticeState.Appealed, NoticeAction.DismissAppeal, Party.Platform, NoticeState.MeasureTaken),
        new(NoticeState.Appealed, NoticeAction.GrantAppeal, Party.Platform, NoticeState.Reversed, Lift),
        new(NoticeState.Appealed, NoticeAction.Withdraw, Party.Complainant, NoticeState.Withdrawn, Lift),

        // Wrongful or malicious notices are recorded against the complainant once the notice has failed.
        new(NoticeState.NoAction, NoticeAction.RecordFinding, Party.Platform, NoticeState.NoAction),
        new(NoticeState.Restored, NoticeAction.RecordFinding, Party.Platform, NoticeState.Restored),
        new(NoticeState.Reversed, NoticeAction.RecordFinding, Party.Platform, NoticeState.Reversed),
        new(NoticeState.Withdrawn, NoticeAction.RecordFinding, Party.Platform, NoticeState.Withdrawn),
    ];

    /// <summary>The timer each waiting state has; states without one wait for a party.</summary>
    public static readonly IReadOnlyDictionary<NoticeState, TimerKind> Timers = new Dictionary<NoticeState, TimerKind>
    {
        [NoticeState.Submitted] = TimerKind.ReviewOverdue,
        [NoticeState.CounterNoticed] = TimerKind.ForwardOverdue,
        [NoticeState.CounterNoticeForwarded] = TimerKind.RestoreDue,
    };

    private static readonly Dictionary<(NoticeState, NoticeAction, Party), Transition> ByKey =
        Transitions.ToDictionary(t => (t.From, t.Action, t.By));

    /// <summary>The transition <paramref name="by"/> makes with <paramref name="action"/> from <paramref name="from"/>; a 409 rule violation when the table has none.</summary>
    public static Transition Next(NoticeState from, NoticeAction action, Party by) =>
        ByKey.TryGetValue((from, action, by), out var transition)
            ? transition
            : throw new RuleViolationException(
                "complaint.transition_not_allowed",
                $"A {by} may not {action} a notice that is {from}.",
                null,
                true,
                ComplaintWire.ToWire(action),
                ComplaintWire.ToWire(from));

    public static bool Allows(NoticeState from, NoticeAction action, Party by) => ByKey.ContainsKey((from, action, by));

    /// <summary>What <paramref name="by"/> may do now, for pages and clients deciding what to offer.</summary>
    public static IReadOnlyList<NoticeAction> ActionsFor(NoticeState state, Party by) =>
        Transitions.Where(t => t.From == state && t.By == by).Select(t => t.Action).Distinct().ToList();

    /// <summary>The listings are down (removed, blocked or restricted) in this state.</summary>
    public static bool MeasureInForce(NoticeState state) => state is NoticeState.MeasureTaken or NoticeState.CounterNoticed
        or NoticeState.CounterNoticeForwarded or NoticeState.ActionFiled or NoticeState.Appealed;

    /// <summary>The notice still holds its listings: another notice on them is linked to it.</summary>
    public static bool HoldsListings(NoticeState state) => state == NoticeState.Submitted || MeasureInForce(state);

    /// <summary>Nothing more happens to the notice but findings.</summary>
    public static bool IsClosed(NoticeState state) => !HoldsListings(state);
}
