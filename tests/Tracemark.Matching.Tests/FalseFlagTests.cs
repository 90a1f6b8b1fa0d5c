namespace Tracemark.Matching.Tests;

/// <summary>
/// The rules that keep product words from being flagged as lookalikes of short marks (issue 5: false flags on
/// real titles), beside the disguises those marks must still be found in.
/// </summary>
public sealed class FalseFlagTests
{
    private static readonly Lexicon Lexicon = Lexicon.Build(
        [
            new Mark("idram", "Idram"),
            new Mark("fuji", "Fuji", "富士"),
            new Mark("power", "Power"),
            new Mark("athome", "@home"),
            new Mark("hopgo", "Hop & go"),
            new Mark("buffalo", "Buffalo Grill"),
            new Mark("samsung", "Samsung"),
            new Mark("nike", "Nike", "耐克"),
            new Mark("kobold", "Kobold"),
            new Mark("evos", "EVOS"),
            new Mark("brightstore", "Bright Store"),
            new Mark("small", "Small"),
            new Mark("rdelectronics", "RD Electronics"),
        ],
        RiskTerms.Default,
        WordList.FromWords(["Fuji", "Nike", "power", "shot", "film", "camera", "shoes", "speaker", "memory", "the", "new", "cheap", "buy"]));

    [Theory]
    [InlineData("sdram memory", "idram")] // one unrelated letter in a mark of five letters: another word
    [InlineData("ＳＤＲＡＭ memory", "idram")] // the same in full width
    [InlineData("Kobalt tools", "kobold")] // two letters of six changed, one of them unrelated
    [InlineData("powershot camera", "power")] // a mark that is a common word, glued into a compound
    [InlineData("PowerShot 相机", "power")]
    [InlineData("ihome speaker", "athome")] // a symbol read as a letter does not count: "@home" has four letters
    [InlineData("iHome 音箱", "athome")]
    [InlineData("Puma evoSPEED boots", "evos")] // glued inside a camel-case word, across its writer's word break
    [InlineData("Puma EvoSpeed 足球鞋", "evos")]
    [InlineData("brightstor backup", "brightstore")] // words run together and mistyped at once
    [InlineData("ｂｒｉｇｈｔｓｔｏｒ", "brightstore")]
    [InlineData("srna18 cable", "small")] // drawn letters ("rn") and an edit on top, neither end of the name as written
    [InlineData("ｓｒｎａ18 cable", "small")]
    [InlineData("lg electronics tv", "rdelectronics")] // two letters changed in place: not a letter out of each side
    [InlineData("ＬＧ Ｅｌｅｃｔｒｏｎｉｃｓ", "rdelectronics")]
    [InlineData("LG Electronics 电视", "rdelectronics")]
    [InlineData("xRD Electronic", "rdelectronics")] // a letter added at the start and another left out at the end move every letter between
    public void A_product_word_is_not_a_lookalike(string text, string markId) =>
        Assert.DoesNotContain(Lexicon.Screen(text), h => h.MarkId == markId && h.Kind == HitKind.Lookalike);

    [Theory]
    [InlineData("ldram wallet", "idram", ReasonCode.Homoglyph)] // l for I among lower case: drawn alike
    [InlineData("Idrarn app", "idram", ReasonCode.LookalikeLetters)]
    [InlineData("Hop & 9o", "hopgo", ReasonCode.Leet)] // a digit kept as a digit, standing for the letter it looks like
    [InlineData("Buffalo Gr1ll 牛排", "buffalo", ReasonCode.Homoglyph)] // 1 drawn as l, where the mark has i
    [InlineData("samsunx galaxy", "samsung", ReasonCode.Substitution)] // an unrelated letter in a mark of seven letters
    [InlineData("Ｓａｍｓｕｎｘ", "samsung", ReasonCode.Substitution)]
    [InlineData("nikeshoes", "nike", ReasonCode.Merged)] // a proper noun of the word list (the dictionaries have Nike), glued
    [InlineData("fujifilm camera", "fuji", ReasonCode.Merged)] // the price: a compound of a proper noun is flagged
    [InlineData("ＦＵＪＩ camera", "fuji", ReasonCode.Compatibility)]
    [InlineData("NikeShoes sale", "nike", ReasonCode.Merged)] // camel case that breaks where the mark does
    [InlineData("cheapEVOS boots", "evos", ReasonCode.Merged)]
    [InlineData("buyNIKEshoes", "nike", ReasonCode.Merged)] // a run of capitals ends where the mark does
    [InlineData("cheapNikeShoes 耐克", "nike", ReasonCode.Merged)]
    [InlineData("Bright Stor backup", "brightstore", ReasonCode.Omission)] // one edit, words as the mark has them
    [InlineData("brightstore", "brightstore", ReasonCode.Joined)]
    [InlineData("Νike 耐克", "nike", ReasonCode.Homoglyph)]
    [InlineData("Srnall bag", "small", ReasonCode.LookalikeLetters)] // drawn letters, the name's last letters as written
    [InlineData("RD Electrnoics 电视", "rdelectronics", ReasonCode.Transposition)] // one edit in a name of thirteen letters
    [InlineData("RD Electrxonic", "rdelectronics", ReasonCode.Edits)] // a letter out of each side, six letters in place at one end
    public void The_disguise_is_still_found(string text, string markId, ReasonCode reason)
    {
        var hit = Assert.Single(Lexicon.Screen(text), h => h.MarkId == markId && h.Kind == HitKind.Lookalike);
        Assert.Equal(reason, hit.ReasonCode);
    }

    // Words of other languages, a catalogue's vocabulary, and marks that are inside other marks (issue 5, item 5).
    private static readonly Lexicon Others = Lexicon.Build(
        [
            new Mark("tempo", "Tempo"),
            new Mark("home", "Home"),
            new Mark("fuji", "Fuji"),
            new Mark("fujifilm", "Fujifilm"),
            new Mark("mega", "Mega"),
            new Mark("tileshop", "The Tile Shop"),
            new Mark("nike", "Nike", "耐克"),
            new Mark("netto", "Netto"),
            new Mark("neto", "Neto"),
        ],
        RiskTerms.Default,
        WordList.FromWords(
            ["the", "shoes", "camera", "film", "storage", "drive", "legend", "parfum", "for", "pour"],
            ["tiempo", "homme", "tenpo", "temp", "tempoo"],
            ["th", "tile", "shop", "mega"]));

    [Theory]
    [InlineData("Nike Tiempo Legend", "tempo")] // a letter added that spells a Spanish word
    [InlineData("ＴＩＥＭＰＯ 足球鞋", "tempo")] // the same word in full width, in a Chinese title
    [InlineData("耐克 Tiempo 足球鞋", "tempo")]
    [InlineData("parfum pour homme", "home")] // a letter doubled that spells a French word
    [InlineData("ＨＯＭＭＥ 香水", "home")]
    [InlineData("Neto market", "netto")] // an exact hit of another mark: that mark, not Netto with a letter left out
    [InlineData("ＮＥＴＯ 超市", "netto")]
    [InlineData("Neto 超市", "netto")]
    [InlineData("fujifilm camera", "fuji")] // the name of another mark: not a glued Fuji
    [InlineData("ＦＵＪＩＦＩＬＭ 相机", "fuji")]
    [InlineData("富士 Fujifilm X100", "fuji")]
    [InlineData("megastorage drive", "mega")] // a mark that is a catalogue word is a word, not a name glued into another
    [InlineData("ｍｅｇａｓｔｏｒａｇｅ", "mega")]
    public void A_word_of_another_language_the_catalogue_or_another_mark_is_not_a_lookalike(string text, string markId) =>
        Assert.DoesNotContain(Others.Screen(text), h => h.MarkId == markId && h.Kind == HitKind.Lookalike);

    [Theory]
    [InlineData("Nike Tempi", "tempo", ReasonCode.Keyboard)] // not a word of any list: an edit is still a lookalike
    [InlineData("Тiempo 足球鞋", "tempo", ReasonCode.Addition)] // a Cyrillic Т: not the Spanish word as written
    [InlineData("Tｅmpo", "tempo", ReasonCode.Compatibility)] // the mark's own letters, one in full width
    [InlineData("Hοme 香水", "home", ReasonCode.Homoglyph)] // a Greek omicron
    [InlineData("fujishoes", "fuji", ReasonCode.Merged)] // glued to a common word, no other mark there
    [InlineData("Nettto market", "netto", ReasonCode.Repetition)] // no other mark there
    [InlineData("Ｎｅｔｔｔｏ 超市", "netto", ReasonCode.Compatibility)]
    [InlineData("Th Tile Shop", "tileshop", ReasonCode.Omission)] // a run of catalogue words is still searched
    [InlineData("Ｔｈ Ｔｉｌｅ Ｓｈｏｐ", "tileshop", ReasonCode.Omission)]
    [InlineData("Th Tile Shop 瓷砖", "tileshop", ReasonCode.Omission)]
    public void A_disguise_that_no_list_explains_is_still_found(string text, string markId, ReasonCode reason)
    {
        var hit = Assert.Single(Others.Screen(text), h => h.MarkId == markId && h.Kind == HitKind.Lookalike);
        Assert.Equal(reason, hit.ReasonCode);
    }

    [Fact]
    public void Without_the_other_languages_their_words_are_flagged()
    {
        var english = Lexicon.Build([new Mark("tempo", "Tempo")], [], WordList.FromWords(["legend"]));

        Assert.Contains(english.Screen("Nike Tiempo Legend"), h => h.MarkId == "tempo" && h.Kind == HitKind.Lookalike);
    }
}
