using System.Text;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Tests;

/// <summary>The tables of facts the engine folds with are well formed and say what they should.</summary>
public sealed class TablesTests
{
    [Theory]
    [InlineData(Confusables.ToLatin)]
    [InlineData(Confusables.Stroked)]
    [InlineData(Confusables.Leet)]
    public void Pair_tables_pair_each_source_with_one_Latin_letter(string pairs)
    {
        Assert.Equal(0, pairs.Length % 2);
        var sources = new HashSet<char>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            Assert.True(sources.Add(pairs[i]), $"{pairs[i]} appears twice");
            Assert.InRange(char.ToLowerInvariant(pairs[i + 1]), 'a', 'z');
        }
    }

    [Fact]
    public void Lookalike_letters_are_not_Latin_letters_themselves()
    {
        for (var i = 0; i < Confusables.ToLatin.Length; i += 2)
        {
            Assert.False(char.IsAsciiLetter(Confusables.ToLatin[i]), $"{Confusables.ToLatin[i]} is Latin");
        }
    }

    [Fact]
    public void The_Chinese_table_maps_traditional_characters_to_other_simplified_ones()
    {
        Assert.Equal(ChineseScripts.Traditional.Length, ChineseScripts.Simplified.Length);
        Assert.True(ChineseScripts.Traditional.Length > 2000);
        for (var i = 0; i < ChineseScripts.Traditional.Length; i++)
        {
            Assert.NotEqual(ChineseScripts.Traditional[i], ChineseScripts.Simplified[i]);
            Assert.True(i == 0 || ChineseScripts.Traditional[i - 1] < ChineseScripts.Traditional[i], "in code point order");
            Assert.True(CharTable.IsUnsegmented(ChineseScripts.Traditional[i]) && CharTable.IsUnsegmented(ChineseScripts.Simplified[i]));
        }
    }

    [Theory]
    [InlineData('豐', '丰')]
    [InlineData('愛', '爱')]
    [InlineData('馬', '马')]
    [InlineData('剋', '克')]
    [InlineData('國', '国')]
    public void Known_traditional_characters_fold_to_their_simplified_form(char traditional, char simplified)
    {
        var at = ChineseScripts.Traditional.IndexOf(traditional, StringComparison.Ordinal);
        Assert.True(at >= 0);
        Assert.Equal(simplified, ChineseScripts.Simplified[at]);
    }

    [Theory]
    [InlineData('克', '剋', true)]
    [InlineData('兔', '免', true)]
    [InlineData('雪', '雷', true)]
    [InlineData('师', '帥', true)] // the traditional form of a member belongs to the group too
    [InlineData('耐', '克', false)]
    [InlineData('a', 'b', false)]
    public void Confusable_Chinese_characters_are_grouped(char a, char b, bool confusable) =>
        Assert.Equal(confusable, CharTable.AreConfusableChinese(a, b));

    [Fact]
    public void Every_character_of_the_basic_plane_normalises_without_error()
    {
        var text = new StringBuilder();
        for (var c = 0; c < 0x10000; c++)
        {
            if (c is < 0xD800 or > 0xDFFF)
            {
                text.Append((char)c).Append(' ');
            }
        }

        var normalised = TextNormaliser.Normalise(text.ToString());
        Assert.True(normalised.Key.Length > 40_000);
    }

    [Theory]
    [InlineData("ＡＢＣ", "abc")]
    [InlineData("①②", "12")]
    [InlineData("ｶﾀｶﾅ", "カタカナ")]
    [InlineData("ℌ𝔢𝔩𝔩𝔬", "hello")]
    [InlineData("Ⅻ", "xii")]
    public void Compatibility_forms_fold_as_NFKC_does(string text, string folded) =>
        Assert.Equal(folded, TextNormaliser.Normalise(text).Folded);
}
