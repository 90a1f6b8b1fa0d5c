using Tracemark.Matching.Compilation;

namespace Tracemark.Matching.Screening;

/// <summary>How the detail of a reason reads.</summary>
internal enum DetailShape : byte
{
    None,

    /// <summary>"Ν for n": the text's character stands for the mark's letter.</summary>
    For,

    /// <summary>"x added".</summary>
    Added,

    /// <summary>"e left out".</summary>
    Missing,

    /// <summary>"ik for ki".</summary>
    Swapped,
}

/// <summary>A hit before the overlaps between hits are settled and before any string is allocated for it.</summary>
internal struct Candidate
{
    public CompiledSet Set;
    public PatternKind Kind;
    public HitKind Hit;
    public int Owner;
    public int Name;

    /// <summary>First unit of the hit in the text's stream.</summary>
    public int First;

    /// <summary>Unit after the hit.</summary>
    public int Last;

    /// <summary>The pattern that matched, or -1 for an edit-distance lookalike.</summary>
    public int Pattern;

    public LookalikeSigns Signs;
    public int Distance;
    public double Score;

    public DetailShape Detail;
    public int DetailUnit;
    public char DetailMark;
    public char DetailMark2;
}
