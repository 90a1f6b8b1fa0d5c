namespace Tracemark.Matching;

/// <summary>A protected mark as the screening engine sees it.</summary>
/// <param name="Id">The mark's identity in the caller's registry; hits carry it back.</param>
/// <param name="Names">Every name the mark goes by, in any script ("Nike", "耐克"). Names that normalise to nothing are ignored.</param>
/// <param name="Exclusions">Phrases in which a name of this mark is not the mark ("apple pie" for a computer maker).</param>
public sealed record Mark(string Id, IReadOnlyList<string> Names, IReadOnlyList<string>? Exclusions = null)
{
    public Mark(string id, params string[] names)
        : this(id, (IReadOnlyList<string>)names)
    {
    }
}

/// <summary>A word or phrase that makes a listing suspect ("replica", "1:1", "高仿"), with the language of its list.</summary>
public sealed record RiskTerm(string Term, string Language);

/// <summary>The built-in risk-term lists, English and Chinese, for callers that have none of their own.</summary>
public static class RiskTerms
{
    private static readonly string[] English =
    [
        "replica", "replicas", "1:1", "aaa", "aaa+", "aaaa", "high copy", "super copy", "mirror copy", "mirror quality",
        "knockoff", "knock off", "knock-off", "counterfeit", "fake", "imitation", "inspired by", "dupe", "unbranded copy",
        "factory original", "top quality copy", "same as original", "grade aaa",
    ];

    private static readonly string[] Chinese =
    [
        "高仿", "原单", "复刻", "仿品", "精仿", "超a", "a货", "1比1", "一比一", "原版", "尾单", "仿牌", "山寨", "专柜品质",
        "正品原单", "纯原", "顶级版本",
    ];

    /// <summary>The English ("en") and Chinese ("zh") lists.</summary>
    public static IReadOnlyList<RiskTerm> Default { get; } =
        [.. English.Select(t => new RiskTerm(t, "en")), .. Chinese.Select(t => new RiskTerm(t, "zh"))];
}
