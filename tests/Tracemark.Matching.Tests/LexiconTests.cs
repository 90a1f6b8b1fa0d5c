namespace Tracemark.Matching.Tests;

public sealed class LexiconTests
{
    private static readonly WordList Words = WordList.FromWords(TestLexicon.Words);

    private static string[] MarkIds(Lexicon lexicon, string text) => [.. lexicon.Screen(text).Where(h => h.MarkId is not null).Select(h => h.MarkId!)];

    [Fact]
    public void Rows_with_the_same_id_are_one_mark_with_several_names()
    {
        var lexicon = Lexicon.Build([new Mark("nike", "Nike"), new Mark("nike", "耐克"), new Mark("nike", "Nike")], [], Words);

        Assert.Equal(1, lexicon.MarkCount);
        Assert.Equal(["Nike", "耐克"], Assert.Single(lexicon.Marks()).Names);
        Assert.Equal(["nike", "nike"], MarkIds(lexicon, "Nike 耐克"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_mark_needs_an_id(string id) =>
        Assert.Throws<ArgumentException>(() => Lexicon.Build([new Mark(id, "Nike")]));

    [Fact]
    public void Names_that_normalise_to_nothing_are_ignored()
    {
        var lexicon = Lexicon.Build([new Mark("odd", "™", "", "!!!"), new Mark("nike", "Nike")], [], Words);

        Assert.Equal(["nike"], MarkIds(lexicon, "™ !!! Nike"));
    }

    [Fact]
    public void No_risk_terms_means_none_and_null_means_the_built_in_lists()
    {
        Assert.Empty(Lexicon.Build([new Mark("x", "Xerox")], [], Words).Screen("replica"));
        Assert.Single(Lexicon.Build([new Mark("x", "Xerox")], null, Words).Screen("replica"));
        Assert.Contains(RiskTerms.Default, t => t.Language == "zh");
        Assert.Contains(RiskTerms.Default, t => t.Language == "en");
    }

    [Fact]
    public void Custom_risk_terms_carry_their_language()
    {
        var lexicon = Lexicon.Build([], [new RiskTerm("Fälschung", "de")], Words);

        var hit = Assert.Single(lexicon.Screen("eine FALSCHUNG"));

        Assert.Equal(("Fälschung", "de", HitKind.RiskTerm), (hit.Mark, hit.Language, hit.Kind));
    }

    [Fact]
    public void Changes_go_live_in_a_new_lexicon_and_leave_the_old_one_alone()
    {
        var before = Lexicon.Build([new Mark("nike", "Nike"), new Mark("puma", "Puma")], [], Words);

        var after = before.WithChanges([new Mark("nike", "Nyke"), new Mark("rolex", "Rolex")], ["puma"]);

        Assert.Equal(["nike", "puma"], MarkIds(before, "Nike Puma Rolex Nyke"));
        Assert.Equal(["rolex", "nike"], MarkIds(after, "Nike Puma Rolex Nyke"));
        Assert.Equal(2, after.MarkCount);
        Assert.Equal(2, after.OverlayMarkCount);
        Assert.Equal(["nike", "rolex"], after.Marks().Select(m => m.Id).Order());
    }

    [Fact]
    public void Changes_on_changes_keep_only_the_latest_version_of_a_mark()
    {
        var lexicon = Lexicon.Build([new Mark("a", "Alpha")], [], Words)
            .WithChanges([new Mark("b", "Bravo")], [])
            .WithChanges([new Mark("b", "Charlie")], [])
            .WithChanges([], ["a"]);

        Assert.Equal(["b"], MarkIds(lexicon, "Alpha Bravo Charlie"));
        Assert.Equal("Charlie", lexicon.Screen("Charlie")[0].Mark);

        var compact = lexicon.Compact();
        Assert.Equal(0, compact.OverlayMarkCount);
        Assert.Equal(["b"], MarkIds(compact, "Alpha Bravo Charlie"));
    }

    [Fact]
    public void A_changed_mark_keeps_its_lookalikes_and_exclusions()
    {
        var lexicon = Lexicon.Build([new Mark("x", "Xerox")], [], Words)
            .WithChanges([new Mark("apple", ["Apple"], ["apple pie"])], []);

        Assert.Equal(["apple"], MarkIds(lexicon, "Apple apple pie"));
        Assert.Equal(HitKind.Lookalike, Assert.Single(lexicon.Screen("Αpple")).Kind);
    }

    [Fact]
    public void Readers_keep_screening_while_a_writer_applies_changes()
    {
        var live = new LiveLexicon(Lexicon.Build([new Mark("nike", "Nike")], [], Words)) { CompactionThreshold = 5 };
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            var screened = 0;
            do
            {
                // Whatever lexicon a reader took, Nike is in it and the result is whole.
                Assert.Equal("nike", Assert.Single(live.Screen("Nike"), h => h.MarkId == "nike").MarkId);
                screened++;
            }
            while (!stop.IsCancellationRequested);

            return screened;
        })).ToArray();

        for (var i = 0; i < 20; i++)
        {
            live.Apply([new Mark("m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "Brand" + (char)('a' + i) + "zz")], []);
        }

        stop.Cancel();
        Assert.All(readers, r => Assert.True(r.Result > 0));
        Assert.Equal(21, live.Current.MarkCount);
        Assert.True(live.Current.OverlayMarkCount <= 5, "the overlay is folded into the base once it passes the threshold");
        Assert.Equal(["m19"], MarkIds(live.Current, "Brandtzz"));
    }

    [Fact]
    public void Replace_swaps_the_whole_lexicon()
    {
        var live = new LiveLexicon(Lexicon.Build([new Mark("nike", "Nike")], [], Words));
        live.Replace(Lexicon.Build([new Mark("puma", "Puma")], [], Words));
        Assert.Equal(["puma"], MarkIds(live.Current, "Nike Puma"));
    }
}
