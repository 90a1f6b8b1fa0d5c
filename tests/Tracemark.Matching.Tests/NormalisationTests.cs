namespace Tracemark.Matching.Tests;

public sealed class NormalisationTests
{
    [Theory]
    // case, width, accents, ligatures, styled letters
    [InlineData("NIKE", "nike")]
    [InlineData("ｎｉｋｅ", "nike")]
    [InlineData("ＮＩＫＥ", "nike")]
    [InlineData("Nïké", "nike")]
    [InlineData("𝐧𝐢𝐤𝐞", "nike")]
    [InlineData("ﬁne", "fine")]
    [InlineData("Straße", "strase")]
    [InlineData("Søstrene", "sostrene")]
    // lookalike letters of other alphabets
    [InlineData("Νike", "nike")]
    [InlineData("ΝΙΚΕ", "nike")]
    [InlineData("Ѕаmѕung", "samsung")]
    [InlineData("ɑpple", "apie")]
    // digits and symbols inside words, not in numbers
    [InlineData("n1ke", "nike")]
    [InlineData("4did4s", "adidas")]
    [InlineData("$upreme", "supreme")]
    [InlineData("adid@s", "adidas")]
    [InlineData("nik3", "nike")]
    [InlineData("2000", "2000")]
    [InlineData("iphone 4", "iphone4")]
    [InlineData("mp3", "mp3")]
    [InlineData("mc812ll", "mc812i")]
    [InlineData("sale!", "saie")]
    [InlineData("$100", "100")]
    // separators, spaced-out letters, repeats
    [InlineData("n.i.k.e", "nike")]
    [InlineData("n i k e", "nike")]
    [InlineData("N-1-K-E", "nike")]
    [InlineData("nikkeee", "nike")]
    [InlineData("g0ogle", "gogie")]
    [InlineData("levi's", "ievis")]
    [InlineData("ni\u200Bke", "nike")]
    // Chinese: traditional to simplified, confusable groups
    [InlineData("鼎泰豐", "鼎泰丰")]
    [InlineData("耐剋", "耐克")]
    [InlineData("愛馬仕", "爱马仕")]
    // empty and broken text
    [InlineData("", "")]
    [InlineData("!!! ™ ®", "")]
    [InlineData("\uD800", "")]
    public void Folds_to_the_key_marks_are_matched_on(string text, string key) =>
        Assert.Equal(key, TextNormaliser.Normalise(text).Key);

    [Theory]
    [InlineData("Café", "cafe")]
    [InlineData("ＮＩＫＥ", "nike")]
    [InlineData("Straße", "strasse")]
    [InlineData("N1KE", "n1ke")]
    [InlineData("Nikkee", "nikkee")]
    [InlineData("鼎泰豐", "鼎泰豐")]
    public void The_folded_form_keeps_every_letter_as_written(string text, string folded) =>
        Assert.Equal(folded, TextNormaliser.Normalise(text).Folded);

    [Theory]
    [InlineData("xx N1KE", 0, 0, 2)] // a run maps to all of it
    [InlineData("xx N1KE", 1, 3, 1)]
    [InlineData("xx N1KE", 2, 4, 1)]
    [InlineData("ｘ ｎｉｋｅ", 1, 2, 1)]
    [InlineData("n.i.k.e", 3, 6, 1)]
    [InlineData("Ni\u0308ke", 1, 1, 2)] // i + combining diaeresis
    [InlineData("nikkkke", 2, 2, 4)]
    [InlineData("𝐧𝐢𝐤𝐞 x", 1, 2, 2)] // a surrogate pair is one character
    [InlineData("ﬁx", 1, 0, 1)] // one character, two letters
    [InlineData("a ™ b", 1, 4, 1)]
    public void Every_normalised_character_maps_back_to_its_span(string text, int index, int start, int length) =>
        Assert.Equal((start, length), TextNormaliser.Normalise(text).OriginalSpan(index));

    [Fact]
    public void The_offset_map_covers_every_character_in_order()
    {
        const string text = "Ｂｕｙ N1KE, adi-das & 耐剋 (𝐧𝐢𝐤𝐞)!";
        var normalised = TextNormaliser.Normalise(text);

        var previousEnd = 0;
        for (var i = 0; i < normalised.Key.Length; i++)
        {
            var (start, length) = normalised.OriginalSpan(i);
            Assert.True(start >= previousEnd, $"character {i} starts at {start}, before {previousEnd}");
            Assert.InRange(length, 1, 4);
            Assert.True(start + length <= text.Length);
            previousEnd = start + length;
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => normalised.OriginalSpan(normalised.Key.Length));
    }
}
