using System.Text.Json;
using Tracemark.Core.Calendars;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Customs;

/// <summary>Where a detention is. The last four are final; <see cref="Forfeited"/> waits only for the goods' disposal.</summary>
public enum DetentionState
{
    /// <summary>Customs found suspect goods on its own motion and told the holder, who must apply for action (PRC: and post security) in time.</summary>
    AwaitingApplication,

    /// <summary>Release suspended or goods detained; the holder (or, in the US, the importer) has a period to act.</summary>
    Detained,

    /// <summary>EU small-consignment procedure: the declarant may object; silence is consent to destruction.</summary>
    SmallConsignment,

    /// <summary>The declarant objected: the holder must start court proceedings in time or the goods are released.</summary>
    AwaitingProceedings,

    /// <summary>Court proceedings on the goods are under way.</summary>
    Proceedings,

    /// <summary>Destruction under customs control was agreed (or consent was deemed); waiting for it to be done.</summary>
    DestructionPending,

    /// <summary>Seized and forfeited (PRC confiscation, US seizure); the goods' disposal is recorded next.</summary>
    Forfeited,

    Destroyed,
    Donated,
    Released,
    ReferredToPolice,
}

/// <summary>How the detention began: customs on its own motion, or on the holder's application for action.</summary>
public enum DetentionMode
{
    ExOfficio,
    Application,
}

public enum DetentionProcedure
{
    Standard,
    SmallConsignment,
}

/// <summary>The periods a preset defines, each counted in the detaining authority's calendar.</summary>
public enum DetentionTimer
{
    /// <summary>Notices to the parties must go out within this period.</summary>
    Notify,

    /// <summary>After an ex officio notice, the holder applies for action within this period.</summary>
    Application,

    /// <summary>The holder confirms (and consents to destruction) or starts proceedings within this period.</summary>
    HolderResponse,

    /// <summary>The same for perishable goods.</summary>
    HolderResponsePerishable,

    /// <summary>How much longer the holder's period may be made, once.</summary>
    Extension,

    /// <summary>The declarant (importer) answers the notice within this period.</summary>
    DeclarantAnswer,

    /// <summary>Small consignments: the declarant objects within this period of the notice, or consent is deemed.</summary>
    SmallConsignmentObjection,

    /// <summary>Small consignments: after an objection, the holder starts proceedings within this period.</summary>
    SmallConsignmentProceedings,
}

/// <summary>Where the notice period starts: the detention, or the goods' presentation to customs (US).</summary>
public enum NoticeFrom
{
    Detention,
    Presentation,
}

public enum HolderPosition
{
    None,
    Confirmed,
    Denied,
}

public enum DeclarantPosition
{
    None,
    Objected,
    Consented,
}

/// <summary>What can happen to a detention: parties' steps, customs' decisions, and time running out.</summary>
public enum DetentionAction
{
    HolderApplies,
    HolderConfirms,
    HolderDenies,
    DeclarantNotified,
    DeclarantObjects,
    DeclarantConsents,
    Extend,
    ProceedingsStarted,
    DeadlinePassed,
    Release,
    Forfeit,
    Destroy,
    Donate,
    ReferToPolice,
}

/// <summary>One period of a preset; <see cref="Mode"/> null means it applies in both modes (a mode-specific one wins).</summary>
public sealed record PresetPeriod(DetentionTimer Timer, DetentionMode? Mode, Period Period);

/// <summary>
/// A jurisdiction's border-measure procedure as data (kept in the database, changed there, never in code):
/// its periods, which modes it has, whether silence of the declarant is consent to destruction, what the
/// end of the declarant's period brings when nobody answered, the small-consignment limits, and whether
/// goods may be donated.
/// </summary>
public sealed record DetentionPreset(
    string Code,
    IReadOnlyList<DetentionMode> Modes,
    NoticeFrom NoticeFrom,
    bool DeemedConsent,
    DetentionState SilenceOutcome,
    decimal? SmallMaxUnits,
    decimal? SmallMaxKg,
    bool DonationAllowed,
    IReadOnlyList<PresetPeriod> Periods)
{
    public Period? PeriodFor(DetentionTimer timer, DetentionMode mode) =>
        (Periods.FirstOrDefault(p => p.Timer == timer && p.Mode == mode) ?? Periods.FirstOrDefault(p => p.Timer == timer && p.Mode is null))?.Period;

    public bool HasSmallConsignments => SmallMaxUnits is not null || SmallMaxKg is not null;
}

/// <summary>
/// Everything the rules need to know about a detention. The current timer and deadline are not stored
/// here: <see cref="DetentionRules.Schedule"/> derives them from these facts, so they can never disagree.
/// </summary>
public sealed record DetentionFacts(
    DetentionState State,
    DetentionMode Mode,
    DetentionProcedure Procedure,
    bool Perishable,
    HolderPosition Holder,
    DeclarantPosition Declarant,
    bool Extended,
    DateTimeOffset DetainedAt,
    DateTimeOffset? DetainedFrom,
    DateTimeOffset? DeclarantNotifiedAt,
    DateTimeOffset? ObjectedAt);

/// <summary>The running timer and when it ends (null when nothing is waiting on time).</summary>
public sealed record DetentionSchedule(DetentionTimer? Timer, DateTimeOffset? Due, bool Provisional)
{
    public static DetentionSchedule None { get; } = new(null, null, false);
}

/// <summary>The detention after a step, its schedule, and why it moved (a code such as "deemed_consent", for the record and the notices).</summary>
public sealed record DetentionStep(DetentionFacts Facts, DetentionSchedule Schedule, string? Note);

/// <summary>What a new detention is: how it began, whether the goods perish, and what the law needs to choose the procedure.</summary>
public sealed record DetentionStart(
    DetentionMode Mode,
    DetentionProcedure Procedure,
    bool Perishable,
    DateTimeOffset DetainedAt,
    DateTimeOffset PresentedAt,
    decimal Quantity,
    string Unit,
    decimal? GrossKg,
    bool DeclarantNotified);

/// <summary>
/// The border-measure procedure as explicit states and transitions. Pure: the preset (data), the facts and
/// the calendar in, the next facts and deadline out, so every jurisdiction's flow is tested without I/O.
/// </summary>
public static class DetentionRules
{
    public static IReadOnlySet<DetentionState> Final { get; } = new HashSet<DetentionState>
    {
        DetentionState.Destroyed, DetentionState.Donated, DetentionState.Released, DetentionState.ReferredToPolice,
    };

    /// <summary>The actions open in each state (before the preset's own conditions); the table the tests walk.</summary>
    public static IReadOnlyDictionary<DetentionState, DetentionAction[]> Allowed { get; } = new Dictionary<DetentionState, DetentionAction[]>
    {
        [DetentionState.AwaitingApplication] =
        [
            DetentionAction.HolderApplies, DetentionAction.HolderConfirms, DetentionAction.HolderDenies, DetentionAction.DeclarantNotified,
            DetentionAction.DeadlinePassed, DetentionAction.Release, DetentionAction.ReferToPolice,
        ],
        [DetentionState.Detained] =
        [
            DetentionAction.HolderConfirms, DetentionAction.HolderDenies, DetentionAction.DeclarantNotified, DetentionAction.DeclarantObjects,
            DetentionAction.DeclarantConsents, DetentionAction.Extend, DetentionAction.ProceedingsStarted, DetentionAction.DeadlinePassed,
            DetentionAction.Release, DetentionAction.Forfeit, DetentionAction.ReferToPolice,
        ],
        [DetentionState.SmallConsignment] =
        [
            DetentionAction.DeclarantNotified, DetentionAction.DeclarantObjects, DetentionAction.DeclarantConsents, DetentionAction.DeadlinePassed,
            DetentionAction.Release, DetentionAction.ReferToPolice,
        ],
        [DetentionState.AwaitingProceedings] =
        [
            DetentionAction.HolderDenies, DetentionAction.DeclarantNotified, DetentionAction.Extend, DetentionAction.ProceedingsStarted,
            DetentionAction.DeadlinePassed, DetentionAction.Release, DetentionAction.ReferToPolice,
        ],
        [DetentionState.Proceedings] =
        [
            DetentionAction.DeclarantNotified, DetentionAction.Release, DetentionAction.Forfeit, DetentionAction.Destroy, DetentionAction.Donate,
            DetentionAction.ReferToPolice,
        ],
        [DetentionState.DestructionPending] = [DetentionAction.DeclarantNotified, DetentionAction.Destroy, DetentionAction.Donate, DetentionAction.ReferToPolice],
        [DetentionState.Forfeited] = [DetentionAction.DeclarantNotified, DetentionAction.Destroy, DetentionAction.Donate, DetentionAction.ReferToPolice],
        [DetentionState.Destroyed] = [],
        [DetentionState.Donated] = [],
        [DetentionState.Released] = [],
        [DetentionState.ReferredToPolice] = [],
    };

    /// <summary>Whether a consignment may go through the small-consignment procedure: at most so many units (counted pieces, pairs or sets) or so many kilograms gross.</summary>
    public static bool IsSmallConsignment(DetentionPreset preset, decimal quantity, string unit, decimal? grossKg)
    {
        var counted = TradeUnits.Fold(unit) is TradeUnits.Piece or TradeUnits.Pair or TradeUnits.Set or TradeUnits.Box or TradeUnits.Carton;
        return (preset.SmallMaxUnits is { } units && counted && quantity <= units) || (preset.SmallMaxKg is { } kg && grossKg is { } gross && gross <= kg);
    }

    /// <summary>When the notices to the parties are due: the preset's notice period from the detention or the presentation of the goods.</summary>
    public static DeadlineResult NoticeDue(DetentionPreset preset, DateTimeOffset detainedAt, DateTimeOffset presentedAt, WorkingDayCalendar calendar)
    {
        var from = preset.NoticeFrom == NoticeFrom.Presentation ? presentedAt : detainedAt;
        return calendar.Deadline(from, preset.PeriodFor(DetentionTimer.Notify, DetentionMode.ExOfficio) ?? Period.WorkingDays(1));
    }

    /// <summary>The first step of a detention: which state it starts in, or why it cannot start so.</summary>
    public static DetentionStep Start(DetentionPreset preset, DetentionStart start, WorkingDayCalendar calendar)
    {
        var rules = new FieldRules();
        if (!preset.Modes.Contains(start.Mode))
        {
            rules.Add("mode", "customs.mode_not_in_preset", Wire(start.Mode), preset.Code);
        }

        if (start.Procedure == DetentionProcedure.SmallConsignment)
        {
            if (!preset.HasSmallConsignments)
            {
                rules.Add("procedure", "customs.small_consignment_not_in_preset", preset.Code);
            }
            else if (!IsSmallConsignment(preset, start.Quantity, start.Unit, start.GrossKg))
            {
                rules.Add("procedure", "customs.not_a_small_consignment", preset.SmallMaxUnits?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    preset.SmallMaxKg?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            }
        }

        rules.ThrowIfAny();
        DetentionState state;
        if (start.Procedure == DetentionProcedure.SmallConsignment)
        {
            state = DetentionState.SmallConsignment;
        }
        else if (start.Mode == DetentionMode.ExOfficio && preset.PeriodFor(DetentionTimer.Application, start.Mode) is not null)
        {
            state = DetentionState.AwaitingApplication;
        }
        else
        {
            state = DetentionState.Detained;
        }

        var facts = new DetentionFacts(
            state,
            start.Mode,
            start.Procedure,
            start.Perishable,
            HolderPosition.None,
            DeclarantPosition.None,
            Extended: false,
            start.DetainedAt,
            state == DetentionState.Detained ? start.DetainedAt : null,
            start.DeclarantNotified ? start.DetainedAt : null,
            ObjectedAt: null);
        return new DetentionStep(facts, Schedule(preset, facts, calendar), null);
    }

    /// <summary>
    /// The detention after <paramref name="action"/> at <paramref name="at"/>. Throws a 409 rule violation
    /// (<c>customs.action_not_allowed</c>) when the state or the preset does not allow it.
    /// </summary>
    public static DetentionStep Apply(DetentionPreset preset, DetentionFacts facts, DetentionAction action, DateTimeOffset at, WorkingDayCalendar calendar)
    {
        if (!Allowed[facts.State].Contains(action))
        {
            throw NotAllowed(facts, action);
        }

        var schedule = Schedule(preset, facts, calendar);
        (DetentionFacts Next, string? Note) result = action switch
        {
            DetentionAction.HolderApplies => Applies(facts, at),
            DetentionAction.HolderConfirms when facts.State == DetentionState.AwaitingApplication => Applies(facts, at),
            DetentionAction.HolderConfirms => Confirms(preset, facts, at),
            DetentionAction.HolderDenies => (facts with { State = DetentionState.Released, Holder = HolderPosition.Denied }, "holder_denied"),
            DetentionAction.DeclarantNotified when facts.DeclarantNotifiedAt is not null => throw NotAllowed(facts, action),
            DetentionAction.DeclarantNotified => (facts with { DeclarantNotifiedAt = at }, null),
            DetentionAction.DeclarantObjects => Objects(facts, at),
            DetentionAction.DeclarantConsents => Consents(preset, facts),
            DetentionAction.Extend => Extend(preset, facts, schedule),
            DetentionAction.ProceedingsStarted => (facts with { State = DetentionState.Proceedings }, "proceedings_started"),
            DetentionAction.DeadlinePassed => Expire(preset, facts, schedule, at),
            DetentionAction.Release => (facts with { State = DetentionState.Released }, "released_by_customs"),
            DetentionAction.Forfeit => (facts with { State = DetentionState.Forfeited }, "forfeited"),
            DetentionAction.Destroy => (facts with { State = DetentionState.Destroyed }, "destroyed"),
            DetentionAction.Donate when !preset.DonationAllowed => throw new RuleViolationException(
                "customs.donation_not_allowed", $"Preset {preset.Code} does not allow donation.", "action", isConflict: true, preset.Code),
            DetentionAction.Donate => (facts with { State = DetentionState.Donated }, "donated"),
            DetentionAction.ReferToPolice => (facts with { State = DetentionState.ReferredToPolice }, "referred_to_police"),
            _ => throw NotAllowed(facts, action),
        };

        return new DetentionStep(result.Next, Schedule(preset, result.Next, calendar), result.Note);
    }

    /// <summary>The timer running in a state and its deadline, from the preset's periods and the facts' anchors.</summary>
    public static DetentionSchedule Schedule(DetentionPreset preset, DetentionFacts facts, WorkingDayCalendar calendar)
    {
        switch (facts.State)
        {
            case DetentionState.AwaitingApplication:
                return Run(calendar, DetentionTimer.Application, facts.DetainedAt, preset.PeriodFor(DetentionTimer.Application, facts.Mode));
            case DetentionState.Detained when HolderPeriod(preset, facts) is not null:
            case DetentionState.AwaitingProceedings when facts.Procedure == DetentionProcedure.Standard:
                return HolderDeadline(preset, facts, calendar);
            case DetentionState.Detained:
                return facts.Declarant == DeclarantPosition.None && facts.DeclarantNotifiedAt is { } noticed
                    ? Run(calendar, DetentionTimer.DeclarantAnswer, noticed, preset.PeriodFor(DetentionTimer.DeclarantAnswer, facts.Mode))
                    : DetentionSchedule.None;
            case DetentionState.SmallConsignment:
                return facts.DeclarantNotifiedAt is { } notified
                    ? Run(calendar, DetentionTimer.SmallConsignmentObjection, notified, preset.PeriodFor(DetentionTimer.SmallConsignmentObjection, facts.Mode))
                    : DetentionSchedule.None;
            case DetentionState.AwaitingProceedings:
                return Run(calendar, DetentionTimer.SmallConsignmentProceedings, facts.ObjectedAt ?? facts.DetainedAt,
                    preset.PeriodFor(DetentionTimer.SmallConsignmentProceedings, facts.Mode));
            default:
                return DetentionSchedule.None;
        }
    }

    public static string Wire<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static T Parse<T>(string wire)
        where T : struct, Enum => TryParse<T>(wire, out var value) ? value : throw new ArgumentOutOfRangeException(nameof(wire), wire, $"Not a {typeof(T).Name}.");

    public static bool TryParse<T>(string? wire, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Wire(candidate), wire, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static (DetentionFacts, string?) Applies(DetentionFacts facts, DateTimeOffset at) =>
        (facts with { State = DetentionState.Detained, DetainedFrom = at }, "holder_applied");

    private static (DetentionFacts, string?) Confirms(DetentionPreset preset, DetentionFacts facts, DateTimeOffset at)
    {
        if (facts.Holder == HolderPosition.Confirmed)
        {
            throw NotAllowed(facts, DetentionAction.HolderConfirms);
        }

        var confirmed = facts with { Holder = HolderPosition.Confirmed };
        if (!preset.DeemedConsent)
        {
            return (confirmed, "holder_confirmed");
        }

        return facts.Declarant switch
        {
            DeclarantPosition.Consented => (confirmed with { State = DetentionState.DestructionPending }, "agreed_destruction"),
            DeclarantPosition.Objected => (confirmed with { State = DetentionState.AwaitingProceedings, ObjectedAt = facts.ObjectedAt ?? at }, "declarant_objected"),
            _ => (confirmed, "holder_confirmed"),
        };
    }

    private static (DetentionFacts, string?) Objects(DetentionFacts facts, DateTimeOffset at)
    {
        if (facts.Declarant != DeclarantPosition.None)
        {
            throw NotAllowed(facts, DetentionAction.DeclarantObjects);
        }

        var objected = facts with { Declarant = DeclarantPosition.Objected, ObjectedAt = at };
        return facts.State == DetentionState.SmallConsignment || facts.Holder == HolderPosition.Confirmed
            ? (objected with { State = DetentionState.AwaitingProceedings }, "declarant_objected")
            : (objected, "declarant_objected");
    }

    private static (DetentionFacts, string?) Consents(DetentionPreset preset, DetentionFacts facts)
    {
        if (facts.Declarant != DeclarantPosition.None)
        {
            throw NotAllowed(facts, DetentionAction.DeclarantConsents);
        }

        var consented = facts with { Declarant = DeclarantPosition.Consented };

        // Destruction needs both sides: the holder's confirmation, or a procedure where the declarant alone decides
        // (small consignments; the US importer's abandonment).
        var declarantDecides = facts.State == DetentionState.SmallConsignment || HolderPeriod(preset, facts) is null;
        return declarantDecides || facts.Holder == HolderPosition.Confirmed
            ? (consented with { State = DetentionState.DestructionPending }, "agreed_destruction")
            : (consented, "declarant_consented");
    }

    private static (DetentionFacts, string?) Extend(DetentionPreset preset, DetentionFacts facts, DetentionSchedule schedule)
    {
        if (facts.Extended || facts.Perishable || facts.Procedure != DetentionProcedure.Standard || schedule.Timer != DetentionTimer.HolderResponse
            || preset.PeriodFor(DetentionTimer.Extension, facts.Mode) is null)
        {
            throw new RuleViolationException(
                "customs.extension_not_allowed",
                "The holder's period cannot be extended (already extended, perishable goods, or no extension in this procedure).",
                "action",
                isConflict: true);
        }

        return (facts with { Extended = true }, "extended");
    }

    private static (DetentionFacts, string?) Expire(DetentionPreset preset, DetentionFacts facts, DetentionSchedule schedule, DateTimeOffset at)
    {
        if (schedule.Due is not { } due || due > at)
        {
            // Time has not run out (or nothing is waiting on it): a second server, or a retried sweep, finds nothing to do.
            throw NotAllowed(facts, DetentionAction.DeadlinePassed);
        }

        return (facts.State, schedule.Timer) switch
        {
            (DetentionState.AwaitingApplication, _) => (facts with { State = DetentionState.Released }, "holder_did_not_apply"),
            (DetentionState.SmallConsignment, _) => (facts with { State = DetentionState.DestructionPending, Declarant = DeclarantPosition.Consented }, "deemed_consent"),
            (DetentionState.AwaitingProceedings, _) => (facts with { State = DetentionState.Released }, "no_proceedings"),
            (DetentionState.Detained, DetentionTimer.DeclarantAnswer) => (facts with { State = preset.SilenceOutcome }, "declarant_did_not_answer"),
            (DetentionState.Detained, _) when preset.DeemedConsent && facts.Holder == HolderPosition.Confirmed && facts.Declarant != DeclarantPosition.Objected =>
                (facts with { State = DetentionState.DestructionPending, Declarant = DeclarantPosition.Consented }, "deemed_consent"),
            _ => (facts with { State = DetentionState.Released }, "holder_did_not_act"),
        };
    }

    private static Period? HolderPeriod(DetentionPreset preset, DetentionFacts facts) =>
        (facts.Perishable ? preset.PeriodFor(DetentionTimer.HolderResponsePerishable, facts.Mode) : null)
        ?? preset.PeriodFor(DetentionTimer.HolderResponse, facts.Mode);

    private static DetentionSchedule HolderDeadline(DetentionPreset preset, DetentionFacts facts, WorkingDayCalendar calendar)
    {
        var period = HolderPeriod(preset, facts);
        if (period is null)
        {
            return DetentionSchedule.None;
        }

        var from = facts.DetainedFrom ?? facts.DetainedAt;
        var result = calendar.Deadline(from, period.Value);
        var provisional = result.Provisional;
        if (facts.Extended && preset.PeriodFor(DetentionTimer.Extension, facts.Mode) is { } extension)
        {
            // The extension runs on from the last day of the first period (the day itself never counts twice).
            var extended = calendar.Deadline(result.Due.AddTicks(-1), extension);
            return new DetentionSchedule(DetentionTimer.HolderResponse, extended.Due, provisional || extended.Provisional);
        }

        return new DetentionSchedule(DetentionTimer.HolderResponse, result.Due, provisional);
    }

    private static DetentionSchedule Run(WorkingDayCalendar calendar, DetentionTimer timer, DateTimeOffset from, Period? period)
    {
        if (period is null)
        {
            return DetentionSchedule.None;
        }

        var result = calendar.Deadline(from, period.Value);
        return new DetentionSchedule(timer, result.Due, result.Provisional);
    }

    private static RuleViolationException NotAllowed(DetentionFacts facts, DetentionAction action) => new(
        "customs.action_not_allowed",
        $"'{Wire(action)}' is not possible while the detention is '{Wire(facts.State)}'.",
        "action",
        isConflict: true,
        Wire(action),
        Wire(facts.State));
}
