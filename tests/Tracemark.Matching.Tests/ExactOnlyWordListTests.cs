using System.Globalization;

namespace Tracemark.Matching.Tests;

/// <summary>
/// Exact-only screening does not read the word lists: `tracemark screen --exact-only` builds its lexicon without
/// them, to save reading the system's 1.7 million words at every start. If a rule on exact hits ever consults the
/// lists, these tests fail and that shortcut must go.
/// </summary>
public sealed class ExactOnlyWordListTests
{
    // Every kind of list the engine reads, holding words of the marks below: a common word that is a mark ("apple",
    // "power"), a proper noun ("Nike"), a word of another language one edit from a mark ("tiempo"), a catalogue word.
    private static readonly WordList Words = WordList.FromWords(
        [.. TestLexicon.Words, "power", "shot", "Nike", "Samsung", "film", "Fuji", "tempo", "lili"],
        ["tiempo", "pomme", "manzana"],
        ["galaxy", "powershot", "boots"]);

    private static readonly Mark[] Marks =
    [
        .. TestLexicon.Marks,
        new Mark("power", "Power"),
        new Mark("fuji", "Fuji", "富士"),
        new Mark("tempo", "Tempo"),
    ];

    private static readonly Lexicon WithLists = Lexicon.Build(Marks, RiskTerms.Default, Words);

    private static readonly Lexicon WithoutLists = Lexicon.Build(Marks, RiskTerms.Default);

    private static readonly string[] TextList =
    [
        "Nike running shoes for sale",
        "nikeshoes cheap replica 1:1 AAA",
        "NikeShoes sale",
        "nikes and nike's",
        "ｎｉｋｅ ＡＩＲ",
        "N.I.K.E n i k e n-i-k-e",
        "N1KE Nikee Νike",
        "耐克 运动鞋 高仿 原单",
        "鼎泰豐 鼎泰丰 小笼包",
        "apple pie recipe and Apple iPhone",
        "powershot camera PowerShot Power bank",
        "fujifilm camera Fuji film 富士 相机",
        "Tiempo boots by Tempo, Boots the chemist",
        "Samsung galaxy SAMSUNG Ｓａｍｓｕｎｇ",
        "7-Eleven 7 eleven 3M tape em tape",
        "Магнит Mагнит T-Mobile tmobile H&M e&",
        "Seagate sea gate Lululemon lulu lemon Lili lili",
        "Best Buy bestbuy BEST BUY Din Tai Fung",
        "",
    ];

    public static TheoryData<string> Texts() => [.. TextList];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Exact_only_hits_are_the_same_without_word_lists(string text)
    {
        var expected = Describe(WithLists.Screen(text, ScreeningMode.ExactOnly));
        var actual = Describe(WithoutLists.Screen(text, ScreeningMode.ExactOnly));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_texts_hold_exact_hits_and_the_lists_change_full_screening()
    {
        // Without this the test above could pass by finding nothing, or with lists the engine ignores.
        var exact = TextList.Sum(text => WithLists.Screen(text, ScreeningMode.ExactOnly).Count);
        Assert.True(exact >= 30, $"{exact} exact hits");
        Assert.Contains(TextList, text => Describe(WithLists.Screen(text, ScreeningMode.Full)) != Describe(WithoutLists.Screen(text, ScreeningMode.Full)));
    }

    private static string Describe(IReadOnlyList<ScreeningHit> hits) =>
        string.Join('\n', hits.Select(h => string.Create(CultureInfo.InvariantCulture,
            $"{h.MarkId}|{h.Mark}|{h.Kind}|{h.Start}|{h.Length}|{h.Matched}|{h.Normalised}|{h.Distance}|{h.Score}|{h.Signs}|{h.ReasonCode}|{h.Reason}")));
}
