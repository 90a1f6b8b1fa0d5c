using Tracemark.Core.Complaints;

namespace Tracemark.Core.Tests.Complaints;

/// <summary>The repeat-infringer policy and the complainants' fast-track standard, as tables.</summary>
public sealed class SanctionsTests
{
    private static readonly AccuracyThresholds Standard = new(0.90m, 0.05m, 10, 90);

    [Theory]
    [InlineData(3, 2, false)]
    [InlineData(3, 3, true)]
    [InlineData(3, 7, true)]
    [InlineData(1, 1, true)]
    [InlineData(5, 0, false)]
    public void Standing_strikes_at_the_limit_recommend_suspension(int limit, int strikes, bool recommended) =>
        Assert.Equal(recommended, new StrikePolicy(limit, 180).RecommendsSuspension(strikes));

    [Fact]
    public void The_window_reaches_back_its_days()
    {
        var now = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddDays(-180), new StrikePolicy(3, 180).WindowStart(now));
    }

    [Theory]
    // decided, upheld, counter-notices, succeeded, wrongful, malicious → eligible, bars
    [InlineData(20, 19, 10, 0, 1, 0, true, "")]
    [InlineData(20, 18, 10, 0, 0, 0, true, "")]
    [InlineData(20, 17, 10, 0, 0, 0, false, "upheld_share_too_low")]
    [InlineData(20, 20, 20, 1, 0, 0, true, "")]
    [InlineData(20, 20, 19, 1, 0, 0, false, "counter_success_too_high")]
    [InlineData(20, 10, 10, 5, 0, 0, false, "upheld_share_too_low,counter_success_too_high")]
    // Too few decided notices say nothing about the shares …
    [InlineData(9, 1, 1, 1, 0, 0, true, "")]
    // … but one malicious notice is enough.
    [InlineData(1, 0, 0, 0, 0, 1, false, "malicious_notice")]
    [InlineData(0, 0, 0, 0, 0, 0, true, "")]
    public void The_fast_track_is_kept_only_while_the_record_meets_the_standard(int decided, int upheld, int counters, int succeeded, int wrongful, int malicious, bool eligible, string bars)
    {
        var verdict = Accuracy.Evaluate(new AccuracyCounts(decided, upheld, counters, succeeded, wrongful, malicious), Standard);
        Assert.Equal(eligible, verdict.Eligible);
        Assert.Equal(bars, string.Join(",", verdict.Bars.Select(ComplaintWire.ToWire)));
    }

    [Fact]
    public void Shares_are_exact_and_absent_when_there_is_nothing_to_divide()
    {
        var verdict = Accuracy.Evaluate(new AccuracyCounts(8, 6, 4, 1, 0, 0), Standard);
        Assert.Equal(0.75m, verdict.UpheldShare);
        Assert.Equal(0.25m, verdict.CounterSuccessShare);
        var empty = Accuracy.Evaluate(new AccuracyCounts(0, 0, 0, 0, 0, 0), Standard);
        Assert.Null(empty.UpheldShare);
        Assert.Null(empty.CounterSuccessShare);
    }
}
