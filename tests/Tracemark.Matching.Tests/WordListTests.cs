namespace Tracemark.Matching.Tests;

public sealed class WordListTests
{
    [Theory]
    [InlineData("nice", true)]
    [InlineData("NICE", true)]
    [InlineData("ｎｉｃｅ", true)]
    [InlineData("café", true)]
    [InlineData("Cafe", true)]
    [InlineData("nike", false)]
    [InlineData("", false)]
    public void Words_are_compared_folded(string text, bool contained) =>
        Assert.Equal(contained, WordList.FromWords(["nice", "Café", "", "  "]).Contains(text));

    [Fact]
    public void The_Debian_dictionaries_load_and_know_ordinary_English()
    {
        // wamerican and wbritish are prerequisites (scripts/prerequisites.sh): missing them is a failure.
        var words = WordList.FromFiles(WordList.SystemDictionaries);

        Assert.True(words.Count > 80_000, $"{words.Count} words");
        Assert.True(words.Contains("nice"));
        Assert.True(words.Contains("colour"));
        Assert.True(words.Contains("color"));
        Assert.False(words.Contains("adidsa"));
    }

    [Fact]
    public void The_other_languages_load_and_know_their_words_without_making_them_ordinary()
    {
        // wspanish, wfrench, witalian, wngerman, wportuguese and wdutch are prerequisites too (scripts/prerequisites.sh).
        var words = WordList.FromSystemDictionaries();

        Assert.True(words.OtherLanguageCount > 1_000_000, $"{words.OtherLanguageCount} words");
        Assert.True(words.IsOtherLanguageWord("Tiempo"));
        Assert.True(words.IsOtherLanguageWord("HOMME"));
        Assert.True(words.IsOtherLanguageWord("Straße"));
        Assert.False(words.IsOtherLanguageWord("adidsa"));
        Assert.False(words.Contains("tiempo")); // not an ordinary word: a disguise drawn to look like it is still found
        Assert.True(words.Contains("nice"));
    }

    [Fact]
    public void A_missing_word_file_is_an_error() =>
        Assert.Throws<FileNotFoundException>(() => WordList.FromFiles(["/nonexistent/words"]));

    [Fact]
    public void Ordinary_words_stop_lookalikes_that_nothing_else_would_stop()
    {
        var marks = new[] { new Mark("b", "Bravo") };

        Assert.Single(Lexicon.Build(marks, [], WordList.Empty).Screen("brave knight"), h => h.Kind == HitKind.Lookalike);
        Assert.Empty(Lexicon.Build(marks, [], WordList.FromWords(["brave"])).Screen("brave knight"));
    }
}
