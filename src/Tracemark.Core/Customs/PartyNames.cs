using System.Globalization;
using System.Text;

namespace Tracemark.Core.Customs;

/// <summary>
/// Company names folded so that one company written differently compares equal: case, full-width
/// forms, accents, spacing and punctuation, and the legal form at the end ("Co., Ltd.", "GmbH &amp; Co. KG",
/// "B.V.", "有限公司", "股份有限公司") do not matter. A name written in two scripts ("Northwind Trading
/// (Eastport) Co., Ltd. 北风贸易（东港）有限公司", as identification guides often do) gives one key per
/// script, and two names are the same company when they share a key.
/// </summary>
/// <remarks>
/// Matching is equality of folded keys, never similarity: an authorised importer is no hit, so a
/// counterfeiter must not get that exclusion by trading under a name close to the real one.
/// </remarks>
public static class PartyNames
{
    // Legal forms, as tokens after dots are removed ("B.V." → "bv"); only a run of them at the end is dropped.
    private static readonly HashSet<string> LegalForms = new(StringComparer.Ordinal)
    {
        "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "pllc",
        "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "ev", "se", "sa", "sas", "sarl", "srl", "spa", "sl", "bv", "nv", "vof",
        "oy", "oyj", "ab", "as", "asa", "aps", "kk", "pte", "pty", "pvt", "private", "sdn", "bhd", "jsc", "ojsc", "pjsc", "ooo",
        "zoo", "spzoo", "sro", "kft", "doo", "&", "and", "und", "et",
    };

    // Longest first, so that 股份有限公司 is dropped whole rather than leaving 股份.
    private static readonly string[] ChineseLegalForms =
    [
        "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "株式会社", "股份公司", "集团公司", "集團公司", "公司",
    ];

    /// <summary>The keys of a name: at most one for its Latin-script part and one for its Chinese part.</summary>
    public static IReadOnlyList<string> Keys(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return [];
        }

        var latin = new StringBuilder();
        var han = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormKD))
        {
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            if (IsHan(c))
            {
                han.Append(c);
                latin.Append(' ');
            }
            else if (c == 'ß')
            {
                latin.Append("ss");
            }
            else if (char.IsLetterOrDigit(c))
            {
                latin.Append(char.ToLowerInvariant(c));
            }
            else if (c is '.' or '\'' or '’')
            {
                // Inside a token: "B.V." and "O'Brien" stay one token.
            }
            else if (c == '&')
            {
                latin.Append(" & ");
            }
            else
            {
                latin.Append(' ');
            }
        }

        var keys = new List<string>(2);
        var latinKey = LatinKey(latin.ToString());
        if (latinKey.Length >= 2)
        {
            keys.Add(latinKey);
        }

        var hanKey = HanKey(han.ToString());
        if (hanKey.Length >= 2)
        {
            keys.Add(hanKey);
        }

        return keys;
    }

    /// <summary>Whether two names are the same company (they share a folded key).</summary>
    public static bool Same(string? a, string? b)
    {
        var left = Keys(a);
        if (left.Count == 0)
        {
            return false;
        }

        foreach (var key in Keys(b))
        {
            if (left.Contains(key, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string LatinKey(string spaced)
    {
        var tokens = spaced.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        while (tokens.Count > 1 && LegalForms.Contains(tokens[^1]))
        {
            tokens.RemoveAt(tokens.Count - 1);
        }

        return string.Concat(tokens.Where(t => t != "&"));
    }

    private static string HanKey(string han)
    {
        var stripped = true;
        while (stripped)
        {
            stripped = false;
            foreach (var form in ChineseLegalForms)
            {
                if (han.Length > form.Length && han.EndsWith(form, StringComparison.Ordinal))
                {
                    han = han[..^form.Length];
                    stripped = true;
                    break;
                }
            }
        }

        return han;
    }

    private static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';
}
