using System.Text;

namespace Tracemark.Matching.Screening;

/// <summary>Turns the signs of a hit into its main reason code, its score and its line of English.</summary>
internal static class Reasons
{
    // Most telling first: the main reason is the first sign of this list that the hit shows.
    private static readonly (LookalikeSigns Sign, ReasonCode Code, string English, double Penalty)[] Table =
    [
        (LookalikeSigns.ChineseConfusable, ReasonCode.ChineseConfusable, "a confusable Chinese character", 0.12),
        (LookalikeSigns.Homoglyph, ReasonCode.Homoglyph, "lookalike letters of another alphabet", 0.05),
        (LookalikeSigns.LookalikeLetters, ReasonCode.LookalikeLetters, "letters drawn to look like another", 0.08),
        (LookalikeSigns.Leet, ReasonCode.Leet, "digits or symbols for letters", 0.05),
        (LookalikeSigns.Compatibility, ReasonCode.Compatibility, "full-width or styled characters", 0.02),
        (LookalikeSigns.Separator, ReasonCode.Separator, "letters spaced out", 0.06),
        (LookalikeSigns.Split, ReasonCode.Split, "split into words", 0.10),
        (LookalikeSigns.Joined, ReasonCode.Joined, "words run together", 0.08),
        (LookalikeSigns.Merged, ReasonCode.Merged, "glued to other words", 0.14),
        (LookalikeSigns.Repetition, ReasonCode.Repetition, "repeated letters", 0.06),
        (LookalikeSigns.Transposition, ReasonCode.Transposition, "two letters swapped", 0.26),
        (LookalikeSigns.Keyboard, ReasonCode.Keyboard, "a neighbouring key", 0.27),
        (LookalikeSigns.VowelSwap, ReasonCode.VowelSwap, "a vowel changed", 0.30),
        (LookalikeSigns.Addition, ReasonCode.Addition, "a letter added", 0.31),
        (LookalikeSigns.Omission, ReasonCode.Omission, "a letter left out", 0.31),
        (LookalikeSigns.Substitution, ReasonCode.Substitution, "a letter changed", 0.36),
    ];

    public static ReasonCode MainCode(LookalikeSigns signs)
    {
        if ((signs & ~LookalikeSigns.Informational) == LookalikeSigns.None)
        {
            return (signs & LookalikeSigns.OtherChineseScript) == LookalikeSigns.None ? ReasonCode.Exact : ReasonCode.ExactOtherScript;
        }

        if (System.Numerics.BitOperations.PopCount((uint)(signs & LookalikeSigns.Edits)) > 1)
        {
            return ReasonCode.Edits;
        }

        foreach (var row in Table)
        {
            if ((signs & row.Sign) != LookalikeSigns.None)
            {
                return row.Code;
            }
        }

        return ReasonCode.Edits;
    }

    /// <summary>
    /// 1 for exact hits; visual tricks stay high (strong evidence), arbitrary edits drop well below them
    /// (weak evidence); each further difference and a second edit cost more, a longer mark costs less.
    /// </summary>
    public static double Score(LookalikeSigns signs, int differences, int distance, int markLetters)
    {
        if ((signs & ~LookalikeSigns.Informational) == LookalikeSigns.None)
        {
            return 1.0;
        }

        var score = 0.97;
        foreach (var row in Table)
        {
            if ((signs & row.Sign) != LookalikeSigns.None)
            {
                score -= row.Penalty;
            }
        }

        score -= 0.02 * Math.Max(0, differences - 1);
        if ((signs & LookalikeSigns.Edits) != LookalikeSigns.None)
        {
            score -= 0.1 * Math.Max(0, distance - 1);
            score += 0.02 * Math.Clamp(markLetters - 6, 0, 4);
        }

        return Math.Round(Math.Clamp(score, 0.3, 0.96), 2);
    }

    public static string English(HitKind kind, LookalikeSigns signs, string matched, string mark, string? detail, string? language)
    {
        if (kind == HitKind.RiskTerm)
        {
            return $"Risk term \"{mark}\" ({language}).";
        }

        if (kind == HitKind.Exact)
        {
            return (signs & LookalikeSigns.OtherChineseScript) != LookalikeSigns.None
                ? $"\"{matched}\" is the mark \"{mark}\" in the other Chinese script."
                : $"Exact match of the mark \"{mark}\".";
        }

        var text = new StringBuilder();
        text.Append('"').Append(matched).Append("\" looks like the mark \"").Append(mark).Append("\": ");
        var first = true;
        foreach (var row in Table)
        {
            if ((signs & row.Sign) == LookalikeSigns.None)
            {
                continue;
            }

            if (!first)
            {
                text.Append(", ");
            }

            text.Append(row.English);
            if (first && detail is not null)
            {
                text.Append(" (").Append(detail).Append(')');
            }

            first = false;
        }

        return text.Append('.').ToString();
    }
}
