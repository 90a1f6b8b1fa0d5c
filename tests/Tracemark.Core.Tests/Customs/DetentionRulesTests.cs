using System.Globalization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Customs;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Tests.Customs;

/// <summary>Each jurisdiction's border-measure procedure walked through its states, with deadlines in its working days.</summary>
public sealed class DetentionRulesTests
{
    // The presets as migration 0050 loads them.
    internal static readonly DetentionPreset Eu = new(
        "eu_608_2013", [DetentionMode.ExOfficio, DetentionMode.Application], NoticeFrom.Detention, DeemedConsent: true, DetentionState.Released, 3, 2, false,
        [
            new(DetentionTimer.Notify, null, Period.WorkingDays(1)),
            new(DetentionTimer.Application, DetentionMode.ExOfficio, Period.WorkingDays(4)),
            new(DetentionTimer.HolderResponse, null, Period.WorkingDays(10)),
            new(DetentionTimer.HolderResponsePerishable, null, Period.WorkingDays(3)),
            new(DetentionTimer.Extension, null, Period.WorkingDays(10)),
            new(DetentionTimer.SmallConsignmentObjection, null, Period.WorkingDays(10)),
            new(DetentionTimer.SmallConsignmentProceedings, null, Period.WorkingDays(10)),
        ]);

    internal static readonly DetentionPreset China = new(
        "cn_gacc", [DetentionMode.ExOfficio, DetentionMode.Application], NoticeFrom.Detention, DeemedConsent: false, DetentionState.Released, null, null, true,
        [
            new(DetentionTimer.Notify, null, Period.WorkingDays(1)),
            new(DetentionTimer.Application, DetentionMode.ExOfficio, Period.WorkingDays(3)),
            new(DetentionTimer.HolderResponse, DetentionMode.Application, Period.WorkingDays(20)),
            new(DetentionTimer.HolderResponse, DetentionMode.ExOfficio, Period.WorkingDays(50)),
        ]);

    internal static readonly DetentionPreset UnitedStates = new(
        "us_19cfr133", [DetentionMode.ExOfficio], NoticeFrom.Presentation, DeemedConsent: false, DetentionState.Forfeited, null, null, true,
        [
            new(DetentionTimer.Notify, null, Period.WorkingDays(5)),
            new(DetentionTimer.DeclarantAnswer, null, Period.WorkingDays(7)),
        ]);

    private static readonly WorkingDayCalendar Germany = Calendar("DE", "Europe/Berlin", ("2026-04-03", DayKind.Holiday), ("2026-04-06", DayKind.Holiday));

    private static readonly WorkingDayCalendar Prc = Calendar("CN", "Asia/Shanghai",
        ("2026-02-14", DayKind.Working), ("2026-02-15", DayKind.Holiday), ("2026-02-16", DayKind.Holiday), ("2026-02-17", DayKind.Holiday),
        ("2026-02-18", DayKind.Holiday), ("2026-02-19", DayKind.Holiday), ("2026-02-20", DayKind.Holiday), ("2026-02-21", DayKind.Holiday),
        ("2026-02-22", DayKind.Holiday), ("2026-02-23", DayKind.Holiday), ("2026-02-28", DayKind.Working));

    private static readonly WorkingDayCalendar Us = Calendar("US", "America/New_York", ("2026-11-26", DayKind.Holiday), ("2026-12-25", DayKind.Holiday));

    [Theory]
    // EU, on application: 10 working days in Germany from Wednesday 1 April, skipping Good Friday and Easter Monday.
    [InlineData("eu", "application", "standard", false, "2026-04-01T08:00:00Z", "detained", "holder_response", "2026-04-17T22:00:00Z")]
    // Perishable goods: 3 working days (2, 7, 8 April).
    [InlineData("eu", "application", "standard", true, "2026-04-01T08:00:00Z", "detained", "holder_response", "2026-04-08T22:00:00Z")]
    // Ex officio: the holder applies within 4 working days of the notice.
    [InlineData("eu", "ex_officio", "standard", false, "2026-04-01T08:00:00Z", "awaiting_application", "application", "2026-04-09T22:00:00Z")]
    // Small consignment with the declarant notified at once: 10 working days to object.
    [InlineData("eu", "application", "small_consignment", false, "2026-04-01T08:00:00Z", "small_consignment", "small_consignment_objection", "2026-04-17T22:00:00Z")]
    // PRC ex officio: application and security within 3 working days, across the Spring Festival (make-up Saturday counts).
    [InlineData("cn", "ex_officio", "standard", false, "2026-02-13T02:00:00Z", "awaiting_application", "application", "2026-02-25T16:00:00Z")]
    // PRC on application: release unless a court's notice arrives within 20 working days.
    [InlineData("cn", "application", "standard", false, "2026-03-02T02:00:00Z", "detained", "holder_response", "2026-03-30T16:00:00Z")]
    // US: detained, waiting for the importer's answer once notified (7 business days from the notice, Thanksgiving skipped).
    [InlineData("us", "ex_officio", "standard", false, "2026-11-20T15:00:00Z", "detained", "declarant_answer", "2026-12-03T05:00:00Z")]
    public void A_detention_starts_in_the_state_and_with_the_deadline_of_its_preset(
        string jurisdiction, string mode, string procedure, bool perishable, string at, string state, string timer, string due)
    {
        var (preset, calendar) = Pick(jurisdiction);
        var when = Instant(at);
        var step = DetentionRules.Start(preset, new DetentionStart(
            DetentionRules.Parse<DetentionMode>(mode), DetentionRules.Parse<DetentionProcedure>(procedure), perishable, when, when, 2, "件", 1.5m,
            DeclarantNotified: true), calendar);

        Assert.Equal(state, DetentionRules.Wire(step.Facts.State));
        Assert.Equal(timer, DetentionRules.Wire(step.Schedule.Timer!.Value));
        Assert.Equal(Instant(due), step.Schedule.Due);
    }

    [Fact]
    public void Eu_holder_confirms_and_the_declarant_is_silent_so_consent_is_deemed_and_the_goods_destroyed()
    {
        var step = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z");
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.HolderConfirms, Instant("2026-04-10T09:00:00Z"), Germany);
        Assert.Equal(DetentionState.Detained, step.Facts.State);
        Assert.Equal(Instant("2026-04-17T22:00:00Z"), step.Schedule.Due);

        // One tick before the deadline nothing has run out.
        Assert.Throws<RuleViolationException>(() => DetentionRules.Apply(Eu, step.Facts, DetentionAction.DeadlinePassed, Instant("2026-04-17T21:59:59Z"), Germany));

        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.DeadlinePassed, Instant("2026-04-17T22:00:00Z"), Germany);
        Assert.Equal(DetentionState.DestructionPending, step.Facts.State);
        Assert.Equal("deemed_consent", step.Note);
        Assert.Equal(DetentionSchedule.None, step.Schedule);

        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.Destroy, Instant("2026-04-20T09:00:00Z"), Germany);
        Assert.Equal(DetentionState.Destroyed, step.Facts.State);
        Assert.Contains(DetentionState.Destroyed, DetentionRules.Final);
    }

    [Fact]
    public void Eu_holder_does_nothing_and_the_goods_are_released()
    {
        var step = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z");
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.DeadlinePassed, Instant("2026-04-18T00:00:00Z"), Germany);
        Assert.Equal(DetentionState.Released, step.Facts.State);
        Assert.Equal("holder_did_not_act", step.Note);
    }

    [Fact]
    public void Eu_extension_adds_ten_working_days_once_and_never_for_perishable_goods()
    {
        var step = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z");
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.Extend, Instant("2026-04-15T08:00:00Z"), Germany);
        Assert.True(step.Facts.Extended);
        Assert.Equal(Instant("2026-05-01T22:00:00Z"), step.Schedule.Due);
        Assert.Throws<RuleViolationException>(() => DetentionRules.Apply(Eu, step.Facts, DetentionAction.Extend, Instant("2026-04-16T08:00:00Z"), Germany));

        var perishable = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z", perishable: true);
        var refused = Assert.Throws<RuleViolationException>(() => DetentionRules.Apply(Eu, perishable.Facts, DetentionAction.Extend, Instant("2026-04-02T08:00:00Z"), Germany));
        Assert.Equal("customs.extension_not_allowed", refused.Code);
    }

    [Fact]
    public void Eu_declarant_objects_after_confirmation_then_the_holder_must_start_proceedings_or_the_goods_go()
    {
        var step = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z");
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.DeclarantObjects, Instant("2026-04-02T08:00:00Z"), Germany);
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.HolderConfirms, Instant("2026-04-08T08:00:00Z"), Germany);
        Assert.Equal(DetentionState.AwaitingProceedings, step.Facts.State);
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.DeadlinePassed, Instant("2026-04-18T00:00:00Z"), Germany);
        Assert.Equal(DetentionState.Released, step.Facts.State);
    }

    [Fact]
    public void Eu_both_agree_and_destruction_follows_at_once()
    {
        var step = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z");
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.DeclarantConsents, Instant("2026-04-02T08:00:00Z"), Germany);
        Assert.Equal(DetentionState.Detained, step.Facts.State);
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.HolderConfirms, Instant("2026-04-03T08:00:00Z"), Germany);
        Assert.Equal(DetentionState.DestructionPending, step.Facts.State);
        Assert.Equal("agreed_destruction", step.Note);
    }

    [Fact]
    public void Eu_small_consignment_is_destroyed_on_silence_or_released_after_an_objection_without_proceedings()
    {
        var silent = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z", procedure: DetentionProcedure.SmallConsignment);
        silent = DetentionRules.Apply(Eu, silent.Facts, DetentionAction.DeadlinePassed, Instant("2026-04-17T22:00:00Z"), Germany);
        Assert.Equal(DetentionState.DestructionPending, silent.Facts.State);
        Assert.Equal("deemed_consent", silent.Note);

        var objected = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z", procedure: DetentionProcedure.SmallConsignment);
        objected = DetentionRules.Apply(Eu, objected.Facts, DetentionAction.DeclarantObjects, Instant("2026-04-08T08:00:00Z"), Germany);
        Assert.Equal(DetentionState.AwaitingProceedings, objected.Facts.State);
        Assert.Equal(DetentionTimer.SmallConsignmentProceedings, objected.Schedule.Timer);
        Assert.Equal(Instant("2026-04-22T22:00:00Z"), objected.Schedule.Due);
        objected = DetentionRules.Apply(Eu, objected.Facts, DetentionAction.DeadlinePassed, Instant("2026-04-23T00:00:00Z"), Germany);
        Assert.Equal(DetentionState.Released, objected.Facts.State);
        Assert.Equal("no_proceedings", objected.Note);
    }

    [Theory]
    [InlineData(3, "pcs", null, true)]
    [InlineData(3, "件", null, true)]
    [InlineData(2, "双", null, true)]
    [InlineData(3, "ＰＣＳ", null, true)]
    [InlineData(4, "pieces", null, false)]
    [InlineData(4, "pieces", "1.9", true)]
    [InlineData(50, "kg", "2", true)]
    [InlineData(50, "千克", "2.1", false)]
    [InlineData(1, "litre", null, false)]
    public void Small_consignments_are_at_most_three_units_or_two_kilograms(int quantity, string unit, string? grossKg, bool small)
    {
        var gross = grossKg is null ? (decimal?)null : decimal.Parse(grossKg, CultureInfo.InvariantCulture);
        Assert.Equal(small, DetentionRules.IsSmallConsignment(Eu, quantity, unit, gross));
        Assert.False(DetentionRules.IsSmallConsignment(China, quantity, unit, gross));
    }

    [Fact]
    public void A_consignment_too_large_or_a_preset_without_the_procedure_cannot_start_as_small()
    {
        var when = Instant("2026-04-01T08:00:00Z");
        var large = Assert.Throws<InputValidationException>(() => DetentionRules.Start(Eu,
            new DetentionStart(DetentionMode.Application, DetentionProcedure.SmallConsignment, false, when, when, 40, "pcs", 30, true), Germany));
        Assert.Contains(large.Errors, e => e.Code == "customs.not_a_small_consignment");
        var prc = Assert.Throws<InputValidationException>(() => DetentionRules.Start(China,
            new DetentionStart(DetentionMode.Application, DetentionProcedure.SmallConsignment, false, when, when, 1, "pcs", null, true), Prc));
        Assert.Contains(prc.Errors, e => e.Code == "customs.small_consignment_not_in_preset");
        var us = Assert.Throws<InputValidationException>(() => DetentionRules.Start(UnitedStates,
            new DetentionStart(DetentionMode.Application, DetentionProcedure.Standard, false, when, when, 1, "pcs", null, true), Us));
        Assert.Contains(us.Errors, e => e.Code == "customs.mode_not_in_preset");
    }

    [Fact]
    public void Prc_holder_who_does_not_apply_within_three_working_days_sees_the_goods_released()
    {
        var step = Start(China, Prc, DetentionMode.ExOfficio, "2026-02-13T02:00:00Z");
        step = DetentionRules.Apply(China, step.Facts, DetentionAction.DeadlinePassed, Instant("2026-02-25T16:00:00Z"), Prc);
        Assert.Equal(DetentionState.Released, step.Facts.State);
        Assert.Equal("holder_did_not_apply", step.Note);
    }

    [Fact]
    public void Prc_holder_applies_with_security_then_customs_investigates_for_fifty_working_days_and_confiscates()
    {
        var step = Start(China, Prc, DetentionMode.ExOfficio, "2026-03-02T02:00:00Z");
        Assert.Equal(Instant("2026-03-05T16:00:00Z"), step.Schedule.Due);
        step = DetentionRules.Apply(China, step.Facts, DetentionAction.HolderApplies, Instant("2026-03-04T02:00:00Z"), Prc);
        Assert.Equal(DetentionState.Detained, step.Facts.State);
        Assert.Equal("holder_applied", step.Note);
        Assert.Equal(Instant("2026-05-13T16:00:00Z"), step.Schedule.Due);

        // No deemed consent in the PRC: the holder's confirmation does not end the case, customs decides.
        step = DetentionRules.Apply(China, step.Facts, DetentionAction.HolderConfirms, Instant("2026-03-05T02:00:00Z"), Prc);
        Assert.Equal(DetentionState.Detained, step.Facts.State);
        step = DetentionRules.Apply(China, step.Facts, DetentionAction.Forfeit, Instant("2026-04-01T02:00:00Z"), Prc);
        step = DetentionRules.Apply(China, step.Facts, DetentionAction.Donate, Instant("2026-04-10T02:00:00Z"), Prc);
        Assert.Equal(DetentionState.Donated, step.Facts.State);
    }

    [Fact]
    public void Us_notice_within_five_business_days_of_presentation_then_seven_for_the_importer_else_forfeiture()
    {
        var presented = Instant("2026-11-25T15:00:00Z");
        Assert.Equal(Instant("2026-12-04T05:00:00Z"), DetentionRules.NoticeDue(UnitedStates, Instant("2026-11-27T15:00:00Z"), presented, Us).Due);

        var step = DetentionRules.Start(UnitedStates, new DetentionStart(DetentionMode.ExOfficio, DetentionProcedure.Standard, false,
            Instant("2026-11-27T15:00:00Z"), presented, 500, "pcs", null, DeclarantNotified: false), Us);
        Assert.Equal(DetentionState.Detained, step.Facts.State);
        Assert.Equal(DetentionSchedule.None, step.Schedule);

        step = DetentionRules.Apply(UnitedStates, step.Facts, DetentionAction.DeclarantNotified, Instant("2026-12-01T15:00:00Z"), Us);
        Assert.Equal(DetentionTimer.DeclarantAnswer, step.Schedule.Timer);
        Assert.Equal(Instant("2026-12-11T05:00:00Z"), step.Schedule.Due);
        step = DetentionRules.Apply(UnitedStates, step.Facts, DetentionAction.DeadlinePassed, Instant("2026-12-11T05:00:00Z"), Us);
        Assert.Equal(DetentionState.Forfeited, step.Facts.State);
        Assert.Equal("declarant_did_not_answer", step.Note);
    }

    [Fact]
    public void Us_importer_who_abandons_the_goods_consents_to_their_destruction_alone()
    {
        var step = Start(UnitedStates, Us, DetentionMode.ExOfficio, "2026-12-01T15:00:00Z");
        step = DetentionRules.Apply(UnitedStates, step.Facts, DetentionAction.DeclarantConsents, Instant("2026-12-02T15:00:00Z"), Us);
        Assert.Equal(DetentionState.DestructionPending, step.Facts.State);
    }

    [Fact]
    public void Every_state_allows_exactly_the_actions_of_the_table_and_final_states_none()
    {
        var facts = new DetentionFacts(DetentionState.Detained, DetentionMode.Application, DetentionProcedure.Standard, false, HolderPosition.None,
            DeclarantPosition.None, false, Instant("2026-04-01T08:00:00Z"), Instant("2026-04-01T08:00:00Z"), null, null);
        foreach (var state in Enum.GetValues<DetentionState>())
        {
            Assert.True(DetentionRules.Allowed.ContainsKey(state), DetentionRules.Wire(state));
            foreach (var action in Enum.GetValues<DetentionAction>().Where(a => !DetentionRules.Allowed[state].Contains(a)))
            {
                var refused = Assert.Throws<RuleViolationException>(() =>
                    DetentionRules.Apply(Eu, facts with { State = state }, action, Instant("2026-05-01T08:00:00Z"), Germany));
                Assert.Equal("customs.action_not_allowed", refused.Code);
            }
        }

        Assert.All(DetentionRules.Final, s => Assert.Empty(DetentionRules.Allowed[s]));
    }

    [Fact]
    public void Donation_only_where_the_preset_allows_it()
    {
        var step = Start(Eu, Germany, DetentionMode.Application, "2026-04-01T08:00:00Z");
        step = DetentionRules.Apply(Eu, step.Facts, DetentionAction.ProceedingsStarted, Instant("2026-04-02T08:00:00Z"), Germany);
        var refused = Assert.Throws<RuleViolationException>(() => DetentionRules.Apply(Eu, step.Facts, DetentionAction.Donate, Instant("2026-06-02T08:00:00Z"), Germany));
        Assert.Equal("customs.donation_not_allowed", refused.Code);
    }

    private static DetentionStep Start(DetentionPreset preset, WorkingDayCalendar calendar, DetentionMode mode, string at,
        DetentionProcedure procedure = DetentionProcedure.Standard, bool perishable = false)
    {
        var when = Instant(at);
        return DetentionRules.Start(preset, new DetentionStart(mode, procedure, perishable, when, when, 2, "pcs", 1, DeclarantNotified: true), calendar);
    }

    private static (DetentionPreset, WorkingDayCalendar) Pick(string jurisdiction) => jurisdiction switch
    {
        "eu" => (Eu, Germany),
        "cn" => (China, Prc),
        _ => (UnitedStates, Us),
    };

    private static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static WorkingDayCalendar Calendar(string code, string zone, params (string Day, DayKind Kind)[] days) =>
        new(code, TimeZoneInfo.FindSystemTimeZoneById(zone), [DayOfWeek.Saturday, DayOfWeek.Sunday],
            days.ToDictionary(d => DateOnly.Parse(d.Day, CultureInfo.InvariantCulture), d => d.Kind), new DateOnly(2025, 1, 1), new DateOnly(2027, 12, 31));
}
