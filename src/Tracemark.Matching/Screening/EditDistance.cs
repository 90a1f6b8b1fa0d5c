namespace Tracemark.Matching.Screening;

/// <summary>Bounded Damerau–Levenshtein distance over a caller's matrix, which the caller then walks back to explain the edits.</summary>
internal static class EditDistance
{
    /// <summary>
    /// Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions) between
    /// <paramref name="a"/> and <paramref name="b"/>, or budget + 1 when it is above the budget; the matrix
    /// (at least (|a| + 1) × (|b| + 1)) is left filled for the caller to walk back.
    /// </summary>
    public static int Measure(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int budget, Span<int> d)
    {
        var width = b.Length + 1;
        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var row = i * width;
            d[row] = i;
            var best = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(d[row - width + j] + 1, d[row + j - 1] + 1), d[row - width + j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[row - (2 * width) + j - 2] + 1);
                }

                d[row + j] = value;
                best = Math.Min(best, value);
            }

            if (best > budget + 1)
            {
                return budget + 1;
            }
        }

        return Math.Min(d[(a.Length * width) + b.Length], budget + 1);
    }

    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> become equal when at most one letter is deleted
    /// from each: what two edits may be (a letter added and another left out, a letter changed, two swapped),
    /// where two letters changed in place are not.
    /// </summary>
    public static bool IsOneDeletionEach(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var shorter = Math.Min(a.Length, b.Length);
        var head = a.CommonPrefixLength(b);
        if (head >= shorter)
        {
            return Math.Abs(a.Length - b.Length) <= 1;
        }

        var tail = 0;
        while (tail < shorter && a[a.Length - 1 - tail] == b[b.Length - 1 - tail])
        {
            tail++;
        }

        if (a.Length != b.Length)
        {
            // Only the longer one loses a letter.
            return Math.Abs(a.Length - b.Length) == 1 && head + tail >= shorter;
        }

        // One letter each at i < j: a's letters between them are b's moved one place, or the other way round.
        var n = a.Length;
        if (head + tail >= n - 1)
        {
            return true;
        }

        return Shifted(a, b, head, n - 1 - tail) || Shifted(b, a, head, n - 1 - tail);

        static bool Shifted(ReadOnlySpan<char> x, ReadOnlySpan<char> y, int from, int to)
        {
            for (var k = from; k < to; k++)
            {
                if (x[k + 1] != y[k])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
