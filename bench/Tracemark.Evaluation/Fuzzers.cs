using System.Globalization;
using System.Text;

namespace Tracemark.Evaluation;

/// <summary>One way of disguising a mark, as a counterfeiter (or a clumsy typist) would.</summary>
/// <param name="Name">Short name for the report.</param>
/// <param name="Disguise">Returns the disguised name, or null when the fuzzer does not apply to this name.</param>
internal sealed record Fuzzer(string Name, Func<string, Random, string?> Disguise);

/// <summary>
/// The evaluation's own lookalike generator. Its tables are written independently of the engine's:
/// where the engine does not know a trick the generator uses, the evaluation shows it as a miss.
/// </summary>
internal static class Fuzzers
{
    private const string Vowels = "aeiou";

    // QWERTY rows; neighbours are the keys left and right and the keys above and below.
    private static readonly string[] Rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

    private static readonly Dictionary<char, string> LatinLookalikes = new()
    {
        ['a'] = "ɑ",
        ['g'] = "ɡ",
        ['i'] = "ı",
        ['j'] = "ȷ",
        ['o'] = "ᴏ",
        ['s'] = "ꜱ",
        ['v'] = "ᴠ",
        ['w'] = "ᴡ",
        ['z'] = "ᴢ",
        ['u'] = "ᴜ",
    };

    private static readonly Dictionary<char, string> Leet = new()
    {
        ['o'] = "0",
        ['i'] = "1!",
        ['l'] = "1|",
        ['e'] = "3",
        ['a'] = "4@",
        ['s'] = "5$",
        ['t'] = "7",
        ['b'] = "8",
        ['g'] = "9",
    };

    private static readonly Dictionary<char, char> Cyrillic = new()
    {
        ['a'] = 'а',
        ['e'] = 'е',
        ['o'] = 'о',
        ['p'] = 'р',
        ['c'] = 'с',
        ['x'] = 'х',
        ['y'] = 'у',
        ['i'] = 'і',
        ['s'] = 'ѕ',
        ['j'] = 'ј',
        ['A'] = 'А',
        ['B'] = 'В',
        ['E'] = 'Е',
        ['K'] = 'К',
        ['M'] = 'М',
        ['H'] = 'Н',
        ['O'] = 'О',
        ['P'] = 'Р',
        ['C'] = 'С',
        ['T'] = 'Т',
        ['X'] = 'Х',
        ['Y'] = 'У',
    };

    private static readonly Dictionary<char, char> Greek = new()
    {
        ['o'] = 'ο',
        ['a'] = 'α',
        ['i'] = 'ι',
        ['k'] = 'κ',
        ['v'] = 'ν',
        ['p'] = 'ρ',
        ['u'] = 'υ',
        ['x'] = 'χ',
        ['A'] = 'Α',
        ['B'] = 'Β',
        ['E'] = 'Ε',
        ['Z'] = 'Ζ',
        ['H'] = 'Η',
        ['I'] = 'Ι',
        ['K'] = 'Κ',
        ['M'] = 'Μ',
        ['N'] = 'Ν',
        ['O'] = 'Ο',
        ['P'] = 'Ρ',
        ['T'] = 'Τ',
        ['Y'] = 'Υ',
        ['X'] = 'Χ',
    };

    public static IReadOnlyList<Fuzzer> Latin { get; } =
    [
        new("addition", (name, random) => Edit(name, random, (b, at) => b.Insert(at + (random.Next(2)), (char)('a' + random.Next(26))))),
        new("omission", (name, random) => Edit(name, random, (b, at) => b.Remove(at, 1))),
        new("repetition", (name, random) => Edit(name, random, (b, at) => b.Insert(at, b[at]))),
        new("keyboard", (name, random) => Edit(name, random, (b, at) => Replace(b, at, Neighbours(char.ToLowerInvariant(b[at])), random))),
        new("transposition", Transpose),
        new("vowel swap", (name, random) => Edit(name, random, (b, at) => Replace(b, at, Vowels.Replace(char.ToLowerInvariant(b[at]).ToString(), "", StringComparison.Ordinal), random), c => Vowels.Contains(char.ToLowerInvariant(c), StringComparison.Ordinal))),
        new("homoglyph", Homoglyph),
        new("spacing", Spacing),
        new("leet", (name, random) => Substitute(name, random, c => Leet.GetValueOrDefault(char.ToLowerInvariant(c)), 1 + random.Next(2))),
        new("full-width", (name, _) => FullWidth(name)),
        new("cyrillic", (name, random) => Substitute(name, random, c => Cyrillic.TryGetValue(c, out var x) ? x.ToString() : null, 1 + random.Next(3))),
        new("greek", (name, random) => Substitute(name, random, c => Greek.TryGetValue(c, out var x) ? x.ToString() : null, 1 + random.Next(2))),
    ];

    /// <summary>Applies <paramref name="change"/> at a random letter; null when nothing changed.</summary>
    private static string? Edit(string name, Random random, Action<StringBuilder, int> change, Func<char, bool>? eligible = null)
    {
        var letters = LetterPositions(name, eligible ?? char.IsAsciiLetter);
        if (letters.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder(name);
        change(builder, letters[random.Next(letters.Count)]);
        var result = builder.ToString();
        return string.Equals(result, name, StringComparison.OrdinalIgnoreCase) ? null : result;
    }

    private static List<int> LetterPositions(string name, Func<char, bool> eligible)
    {
        var positions = new List<int>();
        for (var i = 0; i < name.Length; i++)
        {
            if (eligible(name[i]))
            {
                positions.Add(i);
            }
        }

        return positions;
    }

    private static void Replace(StringBuilder builder, int at, string choices, Random random)
    {
        if (choices.Length > 0)
        {
            var c = choices[random.Next(choices.Length)];
            builder[at] = char.IsUpper(builder[at]) ? char.ToUpperInvariant(c) : c;
        }
    }

    private static string Neighbours(char c)
    {
        var result = new StringBuilder();
        for (var r = 0; r < Rows.Length; r++)
        {
            var column = Rows[r].IndexOf(c, StringComparison.Ordinal);
            if (column < 0)
            {
                continue;
            }

            if (column > 0)
            {
                result.Append(Rows[r][column - 1]);
            }

            if (column + 1 < Rows[r].Length)
            {
                result.Append(Rows[r][column + 1]);
            }

            foreach (var other in new[] { r - 1, r + 1 })
            {
                if (other >= 0 && other < Rows.Length && column < Rows[other].Length)
                {
                    result.Append(Rows[other][column]);
                }
            }
        }

        return result.ToString();
    }

    private static string? Transpose(string name, Random random)
    {
        var pairs = new List<int>();
        for (var i = 0; i + 1 < name.Length; i++)
        {
            if (char.IsAsciiLetter(name[i]) && char.IsAsciiLetter(name[i + 1]) && char.ToLowerInvariant(name[i]) != char.ToLowerInvariant(name[i + 1]))
            {
                pairs.Add(i);
            }
        }

        if (pairs.Count == 0)
        {
            return null;
        }

        var at = pairs[random.Next(pairs.Count)];
        var chars = name.ToCharArray();
        (chars[at], chars[at + 1]) = (chars[at + 1], chars[at]);
        return new string(chars);
    }

    /// <summary>Latin letters from other blocks, letters drawn as two ("rn" for m), or I and l swapped for each other.</summary>
    private static string? Homoglyph(string name, Random random)
    {
        var options = new List<Func<string?>>();
        var lower = name.ToLowerInvariant();
        if (lower.Contains('m', StringComparison.Ordinal))
        {
            options.Add(() => ReplaceFirst(name, 'm', "rn"));
        }

        if (lower.Contains('w', StringComparison.Ordinal))
        {
            options.Add(() => ReplaceFirst(name, 'w', "vv"));
        }

        // A small l written as a capital I among small letters ("GoogIe").
        var l = name.IndexOf('l', 1);
        if (l > 0)
        {
            options.Add(() => string.Concat(name.AsSpan(0, l), "I", name.AsSpan(l + 1)));
        }

        var lookalike = LetterPositions(name, c => LatinLookalikes.ContainsKey(c));
        if (lookalike.Count > 0)
        {
            options.Add(() =>
            {
                var at = lookalike[random.Next(lookalike.Count)];
                var choices = LatinLookalikes[name[at]];
                return string.Concat(name.AsSpan(0, at), choices[random.Next(choices.Length)].ToString(), name.AsSpan(at + 1));
            });
        }

        return options.Count == 0 ? null : options[random.Next(options.Count)]();
    }

    private static string? ReplaceFirst(string name, char letter, string with)
    {
        var at = name.IndexOf(letter, StringComparison.Ordinal);
        if (at < 0)
        {
            at = name.IndexOf(char.ToUpperInvariant(letter), StringComparison.Ordinal);
            with = with.ToUpperInvariant();
        }

        return string.Concat(name.AsSpan(0, at), with, name.AsSpan(at + 1));
    }

    /// <summary>Either every letter spaced out ("n.i.k.e") or the name cut once ("adi das", "ni-ke").</summary>
    private static string? Spacing(string name, Random random)
    {
        const string separators = " .-_*";
        var separator = separators[random.Next(separators.Length)];
        if (random.Next(2) == 0)
        {
            var word = name.Split(' ')[random.Next(name.Split(' ').Length)];
            if (word.Length < 2)
            {
                return null;
            }

            return name.Replace(word, string.Join(separator, word.ToCharArray()), StringComparison.Ordinal);
        }

        var inner = new List<int>();
        for (var i = 1; i < name.Length; i++)
        {
            if (char.IsAsciiLetter(name[i - 1]) && char.IsAsciiLetter(name[i]))
            {
                inner.Add(i);
            }
        }

        if (inner.Count == 0)
        {
            return null;
        }

        var at = inner[random.Next(inner.Count)];
        return string.Concat(name.AsSpan(0, at), separator.ToString(), name.AsSpan(at));
    }

    /// <summary>Replaces up to <paramref name="count"/> letters that have a substitute.</summary>
    private static string? Substitute(string name, Random random, Func<char, string?> substitute, int count)
    {
        var positions = LetterPositions(name, c => substitute(c) is not null);
        if (positions.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder(name);
        for (var n = 0; n < count && positions.Count > 0; n++)
        {
            var pick = random.Next(positions.Count);
            var at = positions[pick];
            positions.RemoveAt(pick);
            var choices = substitute(name[at])!;
            builder[at] = choices[random.Next(choices.Length)];
        }

        return builder.ToString();
    }

    private static string FullWidth(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(c is >= '!' and <= '~' ? (char)(c - '!' + 0xFF01) : c == ' ' ? '\u3000' : c);
        }

        return builder.ToString();
    }

    /// <summary>Counts the ASCII letters of a name once its accents are removed.</summary>
    public static int LatinLetters(string name, out bool onlyLatin)
    {
        var letters = 0;
        onlyLatin = true;
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetter(c))
            {
                letters++;
            }
            else if (char.IsLetter(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                onlyLatin = false;
            }
        }

        return letters;
    }
}
