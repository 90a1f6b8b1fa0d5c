using System.Globalization;
using System.Text;
using Tracemark.Matching;

namespace Tracemark.Server.Rights;

/// <summary>
/// Names folded for search, on top of the screening engine's normaliser (<see cref="TextNormaliser"/>, its
/// public API only) so that the registry and the screening engine agree on what two names have in common:
/// case, width, accents, lookalike letters and traditional Chinese are folded ("鷹溪" reads "鹰溪",
/// "ＮＯＲＴＨＷＩＮＤ" reads "northwind").
/// </summary>
/// <remarks>
/// The normaliser's <see cref="NormalisedText.Visual"/> drops the separators between words, which fuzzy
/// search needs (pg_trgm compares words), so this adapter puts them back from the original text through
/// <see cref="NormalisedText.OriginalSpan"/>. Chinese and Japanese are written without spaces, so their
/// runs become overlapping pairs of characters ("鹰溪制药" → "鹰溪 溪制 制药"): a query for any two
/// neighbouring characters then finds the name, and one wrong character still leaves most pairs in common.
/// The stored folding depends on the normaliser: if its tables change, rights need folding again.
/// </remarks>
public static class RightNames
{
    /// <summary>A name (or a search query) folded for the trigram index; both sides of a comparison go through here.</summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        Append(builder, text);
        return builder.ToString();
    }

    /// <summary>Several names folded into one text, or null when there are none.</summary>
    public static string? FoldAll(IEnumerable<string>? names)
    {
        var builder = new StringBuilder();
        foreach (var name in names ?? [])
        {
            Append(builder, name);
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    private static void Append(StringBuilder builder, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        foreach (var word in Words(text))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(word);
        }
    }

    private static List<string> Words(string text)
    {
        var normalised = TextNormaliser.Normalise(text);
        var visual = normalised.Visual;
        var words = new List<string>();
        var word = new StringBuilder();
        var wordIsUnsegmented = false;
        var previousEnd = -1;
        for (var i = 0; i < visual.Length; i++)
        {
            var (start, length) = normalised.OriginalSpan(i);
            // The second half of a surrogate pair belongs to the character the first half started.
            var unsegmented = char.IsLowSurrogate(visual[i]) && i > 0 ? wordIsUnsegmented : IsUnsegmented(visual[i]);
            if (word.Length > 0 && (unsegmented != wordIsUnsegmented || SeparatedBetween(text, previousEnd, start)))
            {
                Emit(words, word.ToString(), wordIsUnsegmented);
                word.Clear();
            }

            wordIsUnsegmented = unsegmented;
            word.Append(visual[i]);
            previousEnd = Math.Max(previousEnd, start + length);
        }

        if (word.Length > 0)
        {
            Emit(words, word.ToString(), wordIsUnsegmented);
        }

        return words;
    }

    private static void Emit(List<string> words, string word, bool unsegmented)
    {
        if (!unsegmented)
        {
            words.Add(word);
            return;
        }

        var characters = new List<string>();
        var elements = StringInfo.GetTextElementEnumerator(word);
        while (elements.MoveNext())
        {
            characters.Add(elements.GetTextElement());
        }

        if (characters.Count == 1)
        {
            words.Add(characters[0]);
            return;
        }

        for (var i = 0; i + 1 < characters.Count; i++)
        {
            words.Add(characters[i] + characters[i + 1]);
        }
    }

    /// <summary>Whether the original text between two folded characters holds a space, punctuation or a symbol (not just an accent or an invisible character).</summary>
    private static bool SeparatedBetween(string text, int from, int to)
    {
        for (var i = Math.Max(from, 0); i < to && i < text.Length; i++)
        {
            switch (char.GetUnicodeCategory(text[i]))
            {
                case UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format:
                    continue;
                default:
                    return true;
            }
        }

        return false;
    }

    /// <summary>Scripts written without spaces between words: Chinese (any plane), kana, Thai.</summary>
    private static bool IsUnsegmented(char c) =>
        c is >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF'
            or >= '\u3040' and <= '\u30FF' or >= '\u0E00' and <= '\u0E7F'
            or >= '\uD840' and <= '\uD87F';
}
