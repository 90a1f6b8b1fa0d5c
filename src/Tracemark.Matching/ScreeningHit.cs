namespace Tracemark.Matching;

public enum HitKind
{
    /// <summary>The mark as written, up to case, accents the writer left out, and Chinese script.</summary>
    Exact,

    /// <summary>Something made to look like the mark.</summary>
    Lookalike,

    /// <summary>A term from a risk-term list.</summary>
    RiskTerm,
}

public enum ScreeningMode
{
    /// <summary>Exact hits, lookalikes and risk terms.</summary>
    Full,

    /// <summary>Exact hits and risk terms only: no lookalikes, no edit-distance search.</summary>
    ExactOnly,
}

/// <summary>Every trick found in a lookalike; a hit may show several.</summary>
[Flags]
public enum LookalikeSigns
{
    None = 0,

    /// <summary>Full-width or other compatibility characters ("ｎｉｋｅ", "𝐧𝐢𝐤𝐞").</summary>
    Compatibility = 1 << 0,

    /// <summary>Accents or strokes added ("Nïke"): ordinary spelling in many languages, so still an exact hit.</summary>
    Diacritic = 1 << 1,

    /// <summary>Letters of another script or alphabet that look Latin ("Νike" with a Greek capital nu, "lKEA").</summary>
    Homoglyph = 1 << 2,

    /// <summary>Digits or symbols for letters ("N1KE", "adid@s").</summary>
    Leet = 1 << 3,

    /// <summary>A letter repeated or a double letter made single ("Nikee", "Gogle").</summary>
    Repetition = 1 << 4,

    /// <summary>Letters spaced out by separators ("n.i.k.e", "n i k e").</summary>
    Separator = 1 << 5,

    /// <summary>The name split into words ("adi das").</summary>
    Split = 1 << 6,

    /// <summary>The name's words run together ("bestbuy" for "Best Buy").</summary>
    Joined = 1 << 7,

    /// <summary>The name glued to other words ("nikeshoes").</summary>
    Merged = 1 << 8,

    /// <summary>A Chinese character swapped for a confusable one ("耐剋" for 耐克).</summary>
    ChineseConfusable = 1 << 9,

    /// <summary>A neighbouring key typed instead of a letter.</summary>
    Keyboard = 1 << 10,

    /// <summary>Two neighbouring letters swapped.</summary>
    Transposition = 1 << 11,

    /// <summary>A vowel changed into another vowel.</summary>
    VowelSwap = 1 << 12,

    /// <summary>A letter added.</summary>
    Addition = 1 << 13,

    /// <summary>A letter left out.</summary>
    Omission = 1 << 14,

    /// <summary>A letter changed into an unrelated one.</summary>
    Substitution = 1 << 15,

    /// <summary>Letters drawn to look like another ("rn" for "m", "vv" for "w").</summary>
    LookalikeLetters = 1 << 16,

    /// <summary>Written in the other Chinese script ("鼎泰丰" for 鼎泰豐): still an exact hit.</summary>
    OtherChineseScript = 1 << 17,

    /// <summary>Differences that leave a hit exact: they say how it was written, not that it was disguised.</summary>
    Informational = Diacritic | OtherChineseScript,

    /// <summary>The visual tricks: strong evidence of intent.</summary>
    Visual = Compatibility | Homoglyph | Leet | Repetition | Separator | Split | Joined | Merged | ChineseConfusable | LookalikeLetters,

    /// <summary>Arbitrary edits: weak evidence, they also happen by accident.</summary>
    Edits = Keyboard | Transposition | VowelSwap | Addition | Omission | Substitution,
}

/// <summary>The reason of a hit as a code that a user interface translates, with <see cref="ScreeningHit.ReasonArguments"/>.</summary>
public enum ReasonCode
{
    Exact,
    ExactOtherScript,
    Compatibility,
    Diacritic,
    Homoglyph,
    Leet,
    Repetition,
    Separator,
    Split,
    Joined,
    Merged,
    ChineseConfusable,
    LookalikeLetters,
    Keyboard,
    Transposition,
    VowelSwap,
    Addition,
    Omission,
    Substitution,
    Edits,
    RiskTerm,
}

/// <summary>One mark, lookalike or risk term found in a text.</summary>
public sealed class ScreeningHit
{
    private readonly string? _detail;
    private IReadOnlyList<string>? _arguments;
    private string? _reason;

    internal ScreeningHit(
        string? markId,
        string mark,
        HitKind kind,
        int start,
        int length,
        string matched,
        string normalised,
        int distance,
        double score,
        LookalikeSigns signs,
        ReasonCode reasonCode,
        string? detail,
        string? language)
    {
        MarkId = markId;
        Mark = mark;
        Kind = kind;
        Start = start;
        Length = length;
        Matched = matched;
        Normalised = normalised;
        Distance = distance;
        Score = score;
        Signs = signs;
        ReasonCode = reasonCode;
        _detail = detail;
        Language = language;
    }

    /// <summary>The mark's id; null for a risk term.</summary>
    public string? MarkId { get; }

    /// <summary>The name of the mark that matched, or the risk term.</summary>
    public string Mark { get; }

    public HitKind Kind { get; }

    /// <summary>Start of the hit in UTF-16 code units of the original text.</summary>
    public int Start { get; }

    /// <summary>Length of the hit in UTF-16 code units of the original text.</summary>
    public int Length { get; }

    /// <summary>The original text of the hit.</summary>
    public string Matched { get; }

    /// <summary>What the hit reads as after normalisation ("N1KE" reads "nike").</summary>
    public string Normalised { get; }

    /// <summary>How many letters differ from the mark (0 for an exact hit).</summary>
    public int Distance { get; }

    /// <summary>Confidence from 0 to 1: 1 for exact hits, high for visual tricks, lower for arbitrary edits.</summary>
    public double Score { get; }

    /// <summary>Every trick found.</summary>
    public LookalikeSigns Signs { get; }

    /// <summary>The main reason, for translation with <see cref="ReasonArguments"/>.</summary>
    public ReasonCode ReasonCode { get; }

    /// <summary>The language of the risk-term list; null for marks.</summary>
    public string? Language { get; }

    /// <summary>Arguments of the reason: the matched text, the mark, then a detail such as "Ν for n" when there is one.</summary>
    public IReadOnlyList<string> ReasonArguments => _arguments ??= _detail is null ? [Matched, Mark] : [Matched, Mark, _detail];

    /// <summary>The reason in one line of English (built when first asked for: screening a catalogue rarely reads it).</summary>
    public string Reason => _reason ??= Screening.Reasons.English(Kind, Signs, Matched, Mark, _detail, Language);

    public override string ToString() => $"{Kind.ToWire()} {MarkId} [{Start}, {Length}) \"{Matched}\": {Reason}";
}

/// <summary>Stable wire names for the enums, as the API and the CLI write them.</summary>
public static class ScreeningWire
{
    public static string ToWire(this HitKind kind) => kind switch
    {
        HitKind.Exact => "exact",
        HitKind.Lookalike => "lookalike",
        HitKind.RiskTerm => "risk-term",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string ToWire(this ReasonCode code) => code switch
    {
        ReasonCode.Exact => "exact",
        ReasonCode.ExactOtherScript => "exact.other-script",
        ReasonCode.Compatibility => "lookalike.compatibility",
        ReasonCode.Diacritic => "lookalike.diacritic",
        ReasonCode.Homoglyph => "lookalike.homoglyph",
        ReasonCode.Leet => "lookalike.leet",
        ReasonCode.Repetition => "lookalike.repetition",
        ReasonCode.Separator => "lookalike.separator",
        ReasonCode.Split => "lookalike.split",
        ReasonCode.Joined => "lookalike.joined",
        ReasonCode.Merged => "lookalike.merged",
        ReasonCode.ChineseConfusable => "lookalike.chinese-confusable",
        ReasonCode.LookalikeLetters => "lookalike.lookalike-letters",
        ReasonCode.Keyboard => "lookalike.keyboard",
        ReasonCode.Transposition => "lookalike.transposition",
        ReasonCode.VowelSwap => "lookalike.vowel",
        ReasonCode.Addition => "lookalike.addition",
        ReasonCode.Omission => "lookalike.omission",
        ReasonCode.Substitution => "lookalike.substitution",
        ReasonCode.Edits => "lookalike.edits",
        ReasonCode.RiskTerm => "risk-term",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
