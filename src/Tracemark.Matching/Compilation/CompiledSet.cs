using System.Runtime.InteropServices;
using Tracemark.Matching.Automaton;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Compilation;

internal enum PatternKind : byte
{
    Mark,
    RiskTerm,
    Exclusion,
}

/// <summary>One key in the automaton and what it stands for.</summary>
/// <param name="Kind">Mark name, risk term or exclusion phrase.</param>
/// <param name="Owner">Index of the mark (for names and exclusions) or of the risk term.</param>
/// <param name="Name">Index of the name within the mark (or of the exclusion).</param>
/// <param name="Offset">Where the pattern's units start in the unit arrays.</param>
/// <param name="Length">Units in the pattern.</param>
/// <param name="Letters">Letters in the pattern, repeats counted.</param>
/// <param name="ShortestWord">Letters in the pattern's shortest word ("S&amp;P" has one-letter words).</param>
/// <param name="OrdinaryWord">The pattern, words run together, is a common (lower-case) word of the language ("Power", "Smart"): glued to another word it makes a compound ("powershot"), not a disguise. Proper nouns do not count: the dictionaries list Nike, Gucci and Samsung, and "nikeshoes" is the disguise the issue names.</param>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct PatternInfo(PatternKind Kind, int Owner, int Name, int Offset, int Length, int Letters, int ShortestWord, bool OrdinaryWord);

/// <summary>
/// Marks, risk terms and exclusions compiled for screening: the automaton over their keys, the mark side
/// of every pattern unit (to tell an exact hit from a disguise), and the edit-distance index. Immutable:
/// a lexicon is a base set plus, after changes, a small overlay set.
/// </summary>
internal sealed class CompiledSet
{
    public required string[] MarkIds { get; init; }

    public required string[][] MarkNames { get; init; }

    public required RiskTerm[] RiskTerms { get; init; }

    /// <summary>Risk terms that contain punctuation or digits ("1:1", "aaa+") must appear as written, not only as letters.</summary>
    public required string?[] RiskLiterals { get; init; }

    public required PatternInfo[] Patterns { get; init; }

    /// <summary>Per pattern: whether it may be found glued inside a longer word ("nikeshoes"); the others need word boundaries.</summary>
    public required bool[] MayGlue { get; init; }

    public required char[] Fold { get; init; }

    public required char[] FoldLast { get; init; }

    public required char[] Visual { get; init; }

    public required char[] VisualLast { get; init; }

    public required byte[] Run { get; init; }

    public required UnitFlags[] Flags { get; init; }

    public required PatternAutomaton Automaton { get; init; }

    public required FuzzyIndex Fuzzy { get; init; }

    /// <summary>Every word of every mark name, folded: a known word glued to a mark explains the rest of a token.</summary>
    public required HashSet<string> MarkWords { get; init; }

    /// <summary><see cref="MarkWords"/> for screening's look-ups.</summary>
    public required FoldedWords MarkWordTable { get; init; }

    /// <summary>
    /// Per pattern, strings its exact hits share instead of allocating their own: the normalised form (the same
    /// for every exact hit of a pattern) and the text last matched (a catalogue writes a mark the same way many
    /// times). Filled while screening; threads racing to fill an entry store equal strings, so either is right.
    /// </summary>
    public required string?[] ExactNormalised { get; init; }

    /// <inheritdoc cref="ExactNormalised"/>
    public required string?[] LastMatched { get; init; }
}
