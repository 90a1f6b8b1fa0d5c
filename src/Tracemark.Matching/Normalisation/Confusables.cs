namespace Tracemark.Matching.Normalisation;

/// <summary>
/// Tables of facts the engine folds lookalike characters with. Written for this project from the
/// glyphs themselves (the same pairs appear in Unicode's confusables data, UTS #39): each entry is a
/// letter that a reader takes for the Latin letter beside it in common fonts.
/// </summary>
internal static class Confusables
{
    /// <summary>
    /// Pairs "source, Latin letter" for Cyrillic, Greek and Latin-extension letters. Case matters:
    /// Greek capital Ν reads as N but small ν reads as v, so the fold looks at the character before lowercasing.
    /// </summary>
    internal const string ToLatin =
        // Cyrillic capitals
        "АaВbСcЕeНhІiЈjКkМmОoРpЅsТtХxУyҮyԚqԜwԌgӀlҺh"
        // Cyrillic small
        + "аaвbсcеeнhіiјjкkмmоoрpѕsтtхxуyүyԛqԝwһhӏlпnгrԍgьbѡwѵvԁd"
        // Armenian small letters that are Latin letters to the eye
        + "աwսuօoցgհhոnզqռn"
        // Greek capitals
        + "ΑaΒbΕeΖzΗhΙiΚkΜmΝnΟoΡpΤtΥyΧxϜfϺmϘq"
        // Greek small
        + "αaβbγyεeηnιiκkνvοoρpτtυuχxωwϲcϳjϱpϵe"
        // Latin IPA and small-capital letters
        + "ıiȷjɑaɡgɢgɩiɪiʟlɴnʀrʙbʜhᴋkᴍmᴛtᴜuᴠvᴡwᴢzᴏoᴄcᴅdᴇeᴊjᴘpꜱsǝeəeɛeɔcʃsʒz";

    /// <summary>
    /// Latin letters with a stroke or hook, which NFKD does not decompose: they fold like accented
    /// letters (writing "Sostrene" for "Søstrene" is ordinary typing, writing "Nïke" for "Nike" is a trick).
    /// </summary>
    internal const string Stroked = "øoØOđdĐDħhĦHŀlĿLłlŁLƀbɓbƈcɗdƒfɠgƙkƚlɲnƥpʠqɽrʂsƭtʋvⱳwƴyƶzȥz";

    /// <summary>Digits and symbols read as letters inside a word ("n1ke", "adid@s", "$upreme").</summary>
    internal const string Leet = "0o1l2z3e4a5s6b7t8b9g$s@a!i|l€e¢c";

    /// <summary>The letter an ASCII digit stands for inside a word (the table starts with the digits in order).</summary>
    internal static char LeetLetter(char digit) => Leet[((digit - '0') * 2) + 1];

    /// <summary>
    /// Letters that stand for each other so often that the engine indexes them as one: capital I and
    /// small l are the same stroke in most sans-serif fonts, and the digit 1 reads as either.
    /// </summary>
    internal static char MergeLatinClass(char c) => c == 'l' ? 'i' : c;

    /// <summary>True when <paramref name="written"/> is a digit or symbol read as <paramref name="letter"/> ("8" for b, "@" for a).</summary>
    internal static bool IsLeetFor(char written, char letter)
    {
        for (var k = 0; k < Leet.Length; k += 2)
        {
            if (Leet[k] == written && Leet[k + 1] == letter)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Vowels, for telling a vowel swap from another substitution.</summary>
    internal static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    // QWERTY neighbours of each lower-case letter: the keys a finger slips to.
    private static readonly string[] KeyboardNeighbours =
    [
        "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn", "jiolm", "kop",
        "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase", "zsdc", "tghu", "asx",
    ];

    internal static bool AreKeyboardNeighbours(char a, char b) =>
        a is >= 'a' and <= 'z' && b is >= 'a' and <= 'z' && KeyboardNeighbours[a - 'a'].Contains(b, StringComparison.Ordinal);
}
