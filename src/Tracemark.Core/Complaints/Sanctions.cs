namespace Tracemark.Core.Complaints;

/// <summary>A platform's repeat-infringer policy: this many strikes within this many days recommend suspending the seller.</summary>
public sealed record StrikePolicy(int Limit, int WindowDays)
{
    public const int MaxLimit = 100;
    public const int MaxWindowDays = 3650;

    /// <summary>Whether <paramref name="strikesInWindow"/> standing strikes call for a suspension recommendation.</summary>
    public bool RecommendsSuspension(int strikesInWindow) => strikesInWindow >= Limit;

    /// <summary>The oldest instant a strike may have to count at <paramref name="now"/>.</summary>
    public DateTimeOffset WindowStart(DateTimeOffset now) => now.AddDays(-WindowDays);
}

/// <summary>
/// A platform's standard for complainants on its fast track, over a window (e.g. 90 days): at least
/// <see cref="MinUpheldShare"/> of decided notices upheld and at most <see cref="MaxCounterSuccessShare"/> of
/// counter-notices succeeding, once <see cref="MinDecided"/> notices were decided (fewer say too little).
/// </summary>
public sealed record AccuracyThresholds(decimal MinUpheldShare, decimal MaxCounterSuccessShare, int MinDecided, int WindowDays);

/// <summary>A complainant's record with one platform over the window.</summary>
/// <param name="Decided">Notices the platform decided (a measure, or no action).</param>
/// <param name="Upheld">Decided with a measure that was not reversed on appeal.</param>
/// <param name="CounterNotices">Measures the seller answered with a counter-notice.</param>
/// <param name="CounterSucceeded">Counter-notices after which the measure was lifted (no complaint or lawsuit shown).</param>
/// <param name="Wrongful">Notices the platform found wrongful.</param>
/// <param name="Malicious">Notices the platform found malicious.</param>
public sealed record AccuracyCounts(int Decided, int Upheld, int CounterNotices, int CounterSucceeded, int Wrongful, int Malicious);

/// <summary>Why a complainant is not (or no longer) eligible for the fast track.</summary>
public enum FastTrackBar
{
    UpheldShareTooLow,
    CounterSuccessTooHigh,
    MaliciousNotice,
}

public sealed record AccuracyVerdict(decimal? UpheldShare, decimal? CounterSuccessShare, bool Eligible, IReadOnlyList<FastTrackBar> Bars);

public static class Accuracy
{
    /// <summary>Shares (null when there is nothing to divide) and whether the record keeps the fast track.</summary>
    public static AccuracyVerdict Evaluate(AccuracyCounts counts, AccuracyThresholds thresholds)
    {
        decimal? upheld = counts.Decided == 0 ? null : (decimal)counts.Upheld / counts.Decided;
        decimal? counterSuccess = counts.CounterNotices == 0 ? null : (decimal)counts.CounterSucceeded / counts.CounterNotices;
        var bars = new List<FastTrackBar>();

        // One malicious notice is enough; the shares need enough decided notices to mean something.
        if (counts.Malicious > 0)
        {
            bars.Add(FastTrackBar.MaliciousNotice);
        }

        if (counts.Decided >= thresholds.MinDecided)
        {
            if (upheld < thresholds.MinUpheldShare)
            {
                bars.Add(FastTrackBar.UpheldShareTooLow);
            }

            if (counterSuccess > thresholds.MaxCounterSuccessShare)
            {
                bars.Add(FastTrackBar.CounterSuccessTooHigh);
            }
        }

        return new AccuracyVerdict(upheld, counterSuccess, bars.Count == 0, bars);
    }
}
