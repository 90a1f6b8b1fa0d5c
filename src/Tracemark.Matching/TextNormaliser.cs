using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching;

/// <summary>A text as the screening engine reads it, with the way back to the original.</summary>
public sealed class NormalisedText
{
    private readonly int[] _start;
    private readonly int[] _end;

    internal NormalisedText(string folded, string visual, string key, int[] start, int[] end)
    {
        Folded = folded;
        Visual = visual;
        Key = key;
        _start = start;
        _end = end;
    }

    /// <summary>Case, width and accents folded, NFKC, separators and ignorable characters removed ("Ｎ.ïke" reads "nike").</summary>
    public string Folded { get; }

    /// <summary>Folded, with lookalike letters, leet digits and traditional Chinese read as what they imitate; one character per repeat run.</summary>
    public string Visual { get; }

    /// <summary>Visual with letters that stand for each other merged: what marks are matched on.</summary>
    public string Key { get; }

    /// <summary>The span of the original text (UTF-16 code units) that character <paramref name="index"/> of <see cref="Visual"/> (and <see cref="Key"/>) came from.</summary>
    public (int Start, int Length) OriginalSpan(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _start.Length);
        return (_start[index], _end[index] - _start[index]);
    }
}

/// <summary>The engine's normalisation on its own, for search boxes and for explaining hits.</summary>
public static class TextNormaliser
{
    public static NormalisedText Normalise(ReadOnlySpan<char> text)
    {
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        var n = stream.Length;
        var folded = new char[stream.FoldLength(0, n)];
        stream.CopyFold(0, n, folded);
        return new NormalisedText(
            new string(folded),
            new string(stream.Visual, 0, n),
            new string(stream.Key, 0, n),
            stream.Start.AsSpan(0, n).ToArray(),
            stream.End.AsSpan(0, n).ToArray());
    }
}
