using System.Runtime.InteropServices;
using Tracemark.Matching.Compilation;

namespace Tracemark.Matching.Screening;

/// <summary>Turns the settled candidates into hits: the only place that allocates per hit.</summary>
internal sealed partial class Screener
{
    private void Emit(ReadOnlySpan<char> text, ICollection<ScreeningHit> hits)
    {
        var s = _stream;
        foreach (ref readonly var candidate in CollectionsMarshal.AsSpan(_candidates))
        {
            if (candidate.Hit == Dropped)
            {
                continue;
            }

            var start = s.Start[candidate.First];
            var end = s.End[candidate.Last - 1];
            var set = candidate.Set;
            string mark;
            string? markId = null;
            string? language = null;
            if (candidate.Kind == PatternKind.RiskTerm)
            {
                var literal = set.RiskLiterals[candidate.Owner];
                if (literal is not null && !string.Equals(Compiler.Literal(text[start..end]), literal, StringComparison.Ordinal))
                {
                    continue;
                }

                mark = set.RiskTerms[candidate.Owner].Term;
                language = set.RiskTerms[candidate.Owner].Language;
            }
            else
            {
                mark = set.MarkNames[candidate.Owner][candidate.Name];
                markId = set.MarkIds[candidate.Owner];
            }

            var code = candidate.Kind == PatternKind.RiskTerm ? ReasonCode.RiskTerm : Reasons.MainCode(candidate.Signs);
            string matched;
            string normalised;
            if (candidate.Hit == HitKind.Exact && candidate.Pattern >= 0)
            {
                // An exact hit reads as its pattern, runs and all: shared per pattern, as is a text written the same way again.
                var shared = set.ExactNormalised;
                normalised = shared[candidate.Pattern] ??= Normalised(candidate);
                var last = set.LastMatched;
                var seen = last[candidate.Pattern];
                if (seen is not null && text[start..end].SequenceEqual(seen))
                {
                    matched = seen;
                }
                else
                {
                    matched = text[start..end].ToString();
                    last[candidate.Pattern] = matched;
                }
            }
            else
            {
                matched = text[start..end].ToString();
                normalised = Normalised(candidate);
            }

            hits.Add(new ScreeningHit(
                markId,
                mark,
                candidate.Hit,
                start,
                end - start,
                matched,
                normalised,
                candidate.Distance,
                candidate.Score,
                candidate.Signs,
                code,
                DetailText(text, candidate),
                language));
        }
    }

    /// <summary>What the hit reads as: the mark's letters where the automaton matched it, the text's own otherwise, repeats as written.</summary>
    private string Normalised(in Candidate candidate)
    {
        var s = _stream;
        var length = s.FoldLength(candidate.First, candidate.Last);
        var chars = length <= 256 ? stackalloc char[length] : new char[length];
        var written = 0;
        for (var k = candidate.First; k < candidate.Last; k++)
        {
            var m = candidate.Pattern >= 0 ? candidate.Set.Patterns[candidate.Pattern].Offset + k - candidate.First : -1;
            for (var r = 0; r < s.Run[k]; r++)
            {
                chars[written++] = (m, r) switch
                {
                    ( < 0, 0) => s.Visual[k],
                    ( < 0, _) => s.VisualLast[k],
                    (_, 0) => candidate.Set.Visual[m],
                    _ => candidate.Set.VisualLast[m],
                };
            }
        }

        return new string(chars[..written]);
    }

    private string? DetailText(ReadOnlySpan<char> text, in Candidate candidate)
    {
        var s = _stream;
        string Original(ReadOnlySpan<char> text, int unit) => text[s.Start[unit]..s.End[unit]].ToString();

        return candidate.Detail switch
        {
            DetailShape.For => $"{Original(text, candidate.DetailUnit)} for {candidate.DetailMark}",
            DetailShape.Added => $"{Original(text, candidate.DetailUnit)} added",
            DetailShape.Missing => $"{candidate.DetailMark} left out",
            DetailShape.Swapped => $"{Original(text, candidate.DetailUnit)}{Original(text, candidate.DetailUnit + 1)} for {candidate.DetailMark}{candidate.DetailMark2}",
            _ => null,
        };
    }
}
