using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;

namespace Tracemark.Core.Tests.Complaints;

/// <summary>
/// The legal flow, checked against a table written out here independently of the one in the code: every
/// (state, action, party) either appears below with its result, or is refused as a conflict.
/// </summary>
public sealed class NoticeWorkflowTests
{
    // state, action, party → next state, as PRC E-commerce Law arts. 42–45 and DMCA § 512(g) describe the flow.
    private static readonly (string From, string Action, string By, string To)[] Expected =
    [
        ("submitted", "take_measure", "platform", "measure_taken"),
        ("submitted", "decline", "platform", "no_action"),
        ("submitted", "withdraw", "complainant", "withdrawn"),
        ("measure_taken", "counter_notice", "seller", "counter_noticed"),
        ("measure_taken", "counter_notice", "platform", "counter_noticed"),
        ("measure_taken", "appeal", "seller", "appealed"),
        ("measure_taken", "appeal", "platform", "appealed"),
        ("measure_taken", "withdraw", "complainant", "withdrawn"),
        ("counter_noticed", "forward_counter_notice", "platform", "counter_notice_forwarded"),
        ("counter_noticed", "withdraw", "complainant", "withdrawn"),
        ("counter_notice_forwarded", "report_action_filed", "complainant", "action_filed"),
        ("counter_notice_forwarded", "restore", "system", "restored"),
        ("counter_notice_forwarded", "withdraw", "complainant", "withdrawn"),
        ("appealed", "dismiss_appeal", "platform", "measure_taken"),
        ("appealed", "grant_appeal", "platform", "reversed"),
        ("appealed", "withdraw", "complainant", "withdrawn"),
        ("no_action", "record_finding", "platform", "no_action"),
        ("restored", "record_finding", "platform", "restored"),
        ("reversed", "record_finding", "platform", "reversed"),
        ("withdrawn", "record_finding", "platform", "withdrawn"),
    ];

    public static TheoryData<string, string, string, string> Allowed()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (from, action, by, to) in Expected)
        {
            data.Add(from, action, by, to);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Each_step_of_the_legal_flow_leads_where_the_law_says(string from, string action, string by, string to)
    {
        var transition = NoticeWorkflow.Next(ComplaintWire.Parse<NoticeState>(from), ComplaintWire.Parse<NoticeAction>(action), ComplaintWire.Parse<Party>(by));
        Assert.Equal(to, ComplaintWire.ToWire(transition.To));
    }

    [Fact]
    public void Everything_else_is_refused_as_a_conflict_naming_the_action_and_the_state()
    {
        var allowed = Expected.Select(e => (e.From, e.Action, e.By)).ToHashSet();
        var refused = 0;
        foreach (var state in Enum.GetValues<NoticeState>())
        {
            foreach (var action in Enum.GetValues<NoticeAction>())
            {
                foreach (var party in Enum.GetValues<Party>())
                {
                    var key = (ComplaintWire.ToWire(state), ComplaintWire.ToWire(action), ComplaintWire.ToWire(party));
                    Assert.Equal(allowed.Contains(key), NoticeWorkflow.Allows(state, action, party));
                    if (allowed.Contains(key))
                    {
                        continue;
                    }

                    var error = Assert.Throws<RuleViolationException>(() => NoticeWorkflow.Next(state, action, party));
                    Assert.Equal("complaint.transition_not_allowed", error.Code);
                    Assert.True(error.IsConflict);
                    Assert.Equal([key.Item2, key.Item1], error.Args.Cast<string>());
                    refused++;
                }
            }
        }

        Assert.Equal((11 * 11 * 4) - Expected.Length, refused);
    }

    [Theory]
    // A takedown strikes the seller and gives it its link; lifting a measure voids the strikes and frees the listings.
    [InlineData("submitted", "take_measure", "platform", true, false, false, false, true)]
    [InlineData("submitted", "decline", "platform", false, false, false, true, false)]
    [InlineData("submitted", "withdraw", "complainant", false, false, false, true, false)]
    [InlineData("measure_taken", "withdraw", "complainant", false, true, true, true, false)]
    [InlineData("counter_notice_forwarded", "restore", "system", false, true, true, true, false)]
    [InlineData("appealed", "grant_appeal", "platform", false, true, true, true, false)]
    [InlineData("appealed", "dismiss_appeal", "platform", false, false, false, false, false)]
    [InlineData("counter_notice_forwarded", "report_action_filed", "complainant", false, false, false, false, false)]
    public void Effects_follow_the_measure(string from, string action, string by, bool strikes, bool voids, bool lifts, bool releases, bool informsSeller)
    {
        var effects = NoticeWorkflow.Next(ComplaintWire.Parse<NoticeState>(from), ComplaintWire.Parse<NoticeAction>(action), ComplaintWire.Parse<Party>(by)).Effects;
        Assert.Equal(strikes, effects.HasFlag(TransitionEffects.AddsStrike));
        Assert.Equal(voids, effects.HasFlag(TransitionEffects.VoidsStrikes));
        Assert.Equal(lifts, effects.HasFlag(TransitionEffects.LiftsMeasure));
        Assert.Equal(releases, effects.HasFlag(TransitionEffects.ReleasesListings));
        Assert.Equal(informsSeller, effects.HasFlag(TransitionEffects.InformsSeller));
    }

    [Theory]
    [InlineData("submitted", false, true, false, "review_overdue")]
    [InlineData("linked", false, false, true, null)]
    [InlineData("measure_taken", true, true, false, null)]
    [InlineData("no_action", false, false, true, null)]
    [InlineData("counter_noticed", true, true, false, "forward_overdue")]
    [InlineData("counter_notice_forwarded", true, true, false, "restore_due")]
    [InlineData("action_filed", true, true, false, null)]
    [InlineData("restored", false, false, true, null)]
    [InlineData("appealed", true, true, false, null)]
    [InlineData("reversed", false, false, true, null)]
    [InlineData("withdrawn", false, false, true, null)]
    public void Each_state_says_whether_the_listings_are_down_held_or_free_and_what_its_clock_does(string state, bool down, bool holds, bool closed, string? timer)
    {
        var s = ComplaintWire.Parse<NoticeState>(state);
        Assert.Equal(down, NoticeWorkflow.MeasureInForce(s));
        Assert.Equal(holds, NoticeWorkflow.HoldsListings(s));
        Assert.Equal(closed, NoticeWorkflow.IsClosed(s));
        Assert.Equal(timer, NoticeWorkflow.Timers.TryGetValue(s, out var kind) ? ComplaintWire.ToWire(kind) : null);
    }

    [Fact]
    public void What_each_party_is_offered_is_what_the_table_lets_it_do()
    {
        Assert.Equal([NoticeAction.TakeMeasure, NoticeAction.Decline], NoticeWorkflow.ActionsFor(NoticeState.Submitted, Party.Platform));
        Assert.Equal([NoticeAction.Withdraw], NoticeWorkflow.ActionsFor(NoticeState.Submitted, Party.Complainant));
        Assert.Equal([NoticeAction.CounterNotice, NoticeAction.Appeal], NoticeWorkflow.ActionsFor(NoticeState.MeasureTaken, Party.Seller));
        Assert.Empty(NoticeWorkflow.ActionsFor(NoticeState.Restored, Party.Complainant));
        Assert.Equal([NoticeAction.Restore], NoticeWorkflow.ActionsFor(NoticeState.CounterNoticeForwarded, Party.System));
    }

    [Theory]
    [InlineData("counter_notice_forwarded", NoticeState.CounterNoticeForwarded)]
    [InlineData("action_filed", NoticeState.ActionFiled)]
    [InlineData("no_action", NoticeState.NoAction)]
    public void Wire_names_are_snake_case_both_ways(string wire, NoticeState state)
    {
        Assert.Equal(wire, ComplaintWire.ToWire(state));
        Assert.True(ComplaintWire.TryParse<NoticeState>(wire, out var parsed));
        Assert.Equal(state, parsed);
        Assert.False(ComplaintWire.TryParse<NoticeState>("CounterNoticeForwarded", out _));
        Assert.False(ComplaintWire.TryParse<NoticeState>(null, out _));
    }
}
