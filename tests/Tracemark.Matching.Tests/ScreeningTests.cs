namespace Tracemark.Matching.Tests;

public sealed class ScreeningTests
{
    [Theory]
    // exact, in Latin, Chinese, Cyrillic and mixed script; case, accents and the other Chinese script fold away
    [InlineData("Nike Air Max 90", "nike", "Nike", ReasonCode.Exact)]
    [InlineData("NIKE running", "nike", "NIKE", ReasonCode.Exact)]
    [InlineData("Nïke", "nike", "Nïke", ReasonCode.Exact)]
    [InlineData("正品耐克运动鞋", "nike", "耐克", ReasonCode.Exact)]
    [InlineData("鼎泰丰小笼包", "dintaifung", "鼎泰丰", ReasonCode.ExactOtherScript)]
    [InlineData("Магнит магазин", "magnit", "Магнит", ReasonCode.Exact)]
    [InlineData("new best-buy store", "bestbuy", "best-buy", ReasonCode.Exact)]
    [InlineData("H & M jacket", "hm", "H & M", ReasonCode.Exact)]
    [InlineData("3M tape", "3m", "3M", ReasonCode.Exact)]
    [InlineData("7-eleven coffee", "7eleven", "7-eleven", ReasonCode.Exact)]
    [InlineData("nikes for sale", "nike", "nike", ReasonCode.Exact)]
    [InlineData("Lululemon leggings", "lululemon", "Lululemon", ReasonCode.Exact)]
    // visual tricks
    [InlineData("N1KE Air", "nike", "N1KE", ReasonCode.Leet)]
    [InlineData("buy g00gle phone", "google", "g00gle", ReasonCode.Leet)]
    [InlineData("adid@s", "adidas", "adid@s", ReasonCode.Leet)]
    [InlineData("Nikee shoes", "nike", "Nikee", ReasonCode.Repetition)]
    [InlineData("wallmart", "walmart", "wallmart", ReasonCode.Repetition)]
    [InlineData("N.I.K.E", "nike", "N.I.K.E", ReasonCode.Separator)]
    [InlineData("the n i k e store", "nike", "n i k e", ReasonCode.Separator)]
    [InlineData("ｎｉｋｅ", "nike", "ｎｉｋｅ", ReasonCode.Compatibility)]
    [InlineData("𝐍𝐢𝐤𝐞 shoes", "nike", "𝐍𝐢𝐤𝐞", ReasonCode.Compatibility)]
    [InlineData("Νike", "nike", "Νike", ReasonCode.Homoglyph)]
    [InlineData("Ѕаmѕung TV", "samsung", "Ѕаmѕung", ReasonCode.Homoglyph)]
    [InlineData("Adіdas", "adidas", "Adіdas", ReasonCode.Homoglyph)]
    [InlineData("lKEA sofa", "ikea", "lKEA", ReasonCode.Homoglyph)]
    [InlineData("GoogIe", "google", "GoogIe", ReasonCode.Homoglyph)]
    [InlineData("T-MobiIe", "tmobile", "T-MobiIe", ReasonCode.Homoglyph)]
    [InlineData("rnicrosoft office", "microsoft", "rnicrosoft", ReasonCode.LookalikeLetters)]
    [InlineData("正品耐剋", "nike", "耐剋", ReasonCode.ChineseConfusable)]
    [InlineData("康帅傅方便面", "kangshifu", "康帅傅", ReasonCode.ChineseConfusable)]
    [InlineData("雷碧汽水", "sprite", "雷碧", ReasonCode.ChineseConfusable)]
    // spacing tricks
    [InlineData("adi das originals", "adidas", "adi das", ReasonCode.Split)]
    [InlineData("nikeshoes", "nike", "nike", ReasonCode.Merged)]
    [InlineData("buynikeshoes", "nike", "nike", ReasonCode.Merged)]
    [InlineData("nikeshoes2024", "nike", "nike", ReasonCode.Merged)] // glued in a word with a soft boundary
    [InlineData("2pcs buyadidas", "adidas", "adidas", ReasonCode.Merged)]
    [InlineData("bestbuy deals", "bestbuy", "bestbuy", ReasonCode.Joined)]
    // edits, for marks of five letters or more
    [InlineData("adidsa", "adidas", "adidsa", ReasonCode.Transposition)]
    [InlineData("samsumg galaxy", "samsung", "samsumg", ReasonCode.Keyboard)]
    [InlineData("walmert", "walmart", "walmert", ReasonCode.VowelSwap)]
    [InlineData("walmrt", "walmart", "walmrt", ReasonCode.Omission)]
    [InlineData("walxmart", "walmart", "walxmart", ReasonCode.Addition)]
    [InlineData("Din Tai Fumg dumplings", "dintaifung", "Din Tai Fumg", ReasonCode.Keyboard)]
    public void Finds_the_mark_and_says_why(string text, string markId, string matched, ReasonCode reason)
    {
        var hit = Assert.Single(TestLexicon.Shared.Screen(text), h => h.MarkId == markId);

        Assert.Equal(matched, hit.Matched);
        Assert.Equal(matched, text.Substring(hit.Start, hit.Length));
        Assert.Equal(reason, hit.ReasonCode);
        Assert.Equal(reason is ReasonCode.Exact or ReasonCode.ExactOtherScript ? HitKind.Exact : HitKind.Lookalike, hit.Kind);
        Assert.Contains(hit.Mark, hit.Reason, StringComparison.Ordinal);
        Assert.Equal(hit.Kind == HitKind.Exact, hit.Distance == 0);
    }

    [Theory]
    // A name of ten letters or more is looked up by its first or last letters (windows of one to six words): the
    // lookalike is found whatever the windows beside it.
    [InlineData("buy Din Tai Fumg dumplings", "Din Tai Fumg")] // its last letters also end "Tai Fumg", "buy Din Tai Fumg"
    [InlineData("Xin Tai Fung buy Din Tai Fung", "Xin Tai Fung")] // first letters changed: found by its last ones
    [InlineData("Din Tai Funk new Din Tai Fung", "Din Tai Funk")] // last letter changed: found by its first ones
    [InlineData("正品 鼎泰豐 Din Tai Fumg 小笼包", "Din Tai Fumg")] // beside Chinese words
    [InlineData("ｂｕｙ Ｄｉｎ Ｔａｉ Ｆｕｍｇ ｎｏｗ", "Ｄｉｎ Ｔａｉ Ｆｕｍｇ")] // full width
    [InlineData("nike Dín Tai Fumg аpple", "Dín Tai Fumg")] // accents and a Cyrillic neighbour
    [InlineData("the Din Tai Fu ng store", "Din Tai Fu ng")] // split into one word more
    public void A_long_name_of_several_words_is_found_among_the_windows_that_share_its_ends(string text, string matched)
    {
        var hits = TestLexicon.Shared.Screen(text).Where(h => h.MarkId == "dintaifung").ToList();

        var hit = Assert.Single(hits, h => h.Kind == HitKind.Lookalike);
        Assert.Equal(matched, hit.Matched);
        Assert.Equal(matched, text.Substring(hit.Start, hit.Length));
    }

    [Theory]
    // Windows of four to six words are most windows and almost never hold a name; any cut to them must still find a
    // name of three words split once (at a double letter only the index sees), and of four and five words with an
    // edit or split once, by its first or its last letters.
    [InlineData("Th e Tile Shop tiles", "tileshop", "Th e Tile Shop", ReasonCode.Split)]
    [InlineData("正品 Th e Tile Shop 瓷砖", "tileshop", "Th e Tile Shop", ReasonCode.Split)]
    [InlineData("ｔｈ ｅ Ｔｉｌｅ Ｓｈｏｐ", "tileshop", "ｔｈ ｅ Ｔｉｌｅ Ｓｈｏｐ", ReasonCode.Compatibility)]
    [InlineData("The Tile Sh op", "tileshop", "The Tile Sh op", ReasonCode.Split)]
    [InlineData("The Cof fee Shop mugs", "coffeeshop", "The Cof fee Shop", ReasonCode.Split)] // cut at a double letter, where only the index sees it
    [InlineData("正品The Cof fee Shop杯子", "coffeeshop", "The Cof fee Shop", ReasonCode.Split)]
    [InlineData("Ｔｈｅ Ｃｏｆ ｆｅｅ Ｓｈｏｐ", "coffeeshop", "Ｔｈｅ Ｃｏｆ ｆｅｅ Ｓｈｏｐ", ReasonCode.Split)]
    [InlineData("Hal l and Woodhouse Beers мир", "hallwoodhouse", "Hal l and Woodhouse Beers", ReasonCode.Split)] // five words
    [InlineData("best Hall and Wood house Beers for the holder", "hallwoodhouse", "Hall and Wood house Beers", ReasonCode.Split)]
    [InlineData("Ten Thousand Vil lages Of Peace", "ttv", "Ten Thousand Vil lages Of Peace", ReasonCode.Split)] // six words
    [InlineData("Bank of New Zeeland card", "bnz", "Bank of New Zeeland", ReasonCode.VowelSwap)]
    [InlineData("Vank of New Zealand card", "bnz", "Vank of New Zealand", ReasonCode.Keyboard)] // found by its last letters
    [InlineData("新 Bank of New Zealamd 卡", "bnz", "Bank of New Zealamd", ReasonCode.Keyboard)] // found by its first letters
    [InlineData("Ｂａｎｋ ｏｆ Ｎｅｗ Ｚｅｅｌａｎｄ", "bnz", "Ｂａｎｋ ｏｆ Ｎｅｗ Ｚｅｅｌａｎｄ", ReasonCode.VowelSwap)]
    [InlineData("official leather wallet Bank of Nev Zealand visa debit card holder", "bnz", "Bank of Nev Zealand", ReasonCode.Substitution)]
    [InlineData("Bank of New Zea land", "bnz", "Bank of New Zea land", ReasonCode.Split)] // five words
    [InlineData("Ba nk of New Zealand мир", "bnz", "Ba nk of New Zealand", ReasonCode.Split)]
    [InlineData("Ten Thousand Vilages Of Peace gift", "ttv", "Ten Thousand Vilages Of Peace", ReasonCode.Omission)] // five words
    [InlineData("Ten Thousand Villages Of Pea ce", "ttv", "Ten Thousand Villages Of Pea ce", ReasonCode.Split)] // six words
    [InlineData("the Fox in a Bix puzzle", "fiab", "Fox in a Bix", ReasonCode.Keyboard)] // four words, nine letters: by two letters at an end
    [InlineData("狐狸 Fox in a Bix 玩具", "fiab", "Fox in a Bix", ReasonCode.Keyboard)]
    [InlineData("Ｆｏｘ ｉｎ ａ Ｂｉｘ", "fiab", "Ｆｏｘ ｉｎ ａ Ｂｉｘ", ReasonCode.Keyboard)]
    [InlineData("new Fix in a Box puzzle", "fiab", "Fix in a Box", ReasonCode.Keyboard)]
    public void A_name_of_three_words_or_more_is_found_in_windows_of_four_words_or_more(string text, string markId, string matched, ReasonCode reason)
    {
        var lexicon = Lexicon.Build(
            [new Mark("tileshop", "The Tile Shop"), new Mark("coffeeshop", "The Coffee Shop"), new Mark("hallwoodhouse", "Hall and Woodhouse Beers"), new Mark("bnz", "Bank of New Zealand"), new Mark("ttv", "Ten Thousand Villages Of Peace"), new Mark("fiab", "Fox in a Box"), new Mark("nike", "Nike")],
            RiskTerms.Default,
            WordList.FromWords([.. TestLexicon.Words, "tiles", "card", "official", "leather", "wallet", "visa", "debit", "holder", "gift", "mugs", "best", "puzzle", "new"]));

        var hit = Assert.Single(lexicon.Screen(text), h => h.MarkId == markId);

        Assert.Equal(HitKind.Lookalike, hit.Kind);
        Assert.Equal(matched, hit.Matched);
        Assert.Equal(matched, text.Substring(hit.Start, hit.Length));
        Assert.Equal(reason, hit.ReasonCode);
    }

    [Theory]
    // Windows of three words are a third of the look-ups and almost never hold a name; any cut to them (a gate of
    // their ends was tried) must still find a name of three words mistyped at either end, whose other half is intact,
    // and a name of two words split once at a double letter, which only the index sees.
    [InlineData("Tokyo Disney Resrot tickets", "tdr", "Tokyo Disney Resrot")] // the last letters changed: by its first half
    [InlineData("Tokio Disney Resort tickets", "tdr", "Tokio Disney Resort")] // the first letters changed: by its last half
    [InlineData("正品 Tokyo Disney Resrot 门票", "tdr", "Tokyo Disney Resrot")]
    [InlineData("东京Tokio Disney Resort门票", "tdr", "Tokio Disney Resort")]
    [InlineData("ｔｏｋｙｏ ｄｉｓｎｅｙ ｒｅｓｒｏｔ", "tdr", "ｔｏｋｙｏ ｄｉｓｎｅｙ ｒｅｓｒｏｔ")]
    [InlineData("Tokyo Disny Resort map", "tdr", "Tokyo Disny Resort")] // a letter left out in the middle
    [InlineData("Kel logg Cereals box", "kc", "Kel logg Cereals")] // two words split at a double letter, where only the index sees it
    [InlineData("Kellog g Cereals box", "kc", "Kellog g Cereals")]
    [InlineData("早餐 Kel logg Cereals 盒", "kc", "Kel logg Cereals")]
    [InlineData("Ｋｅｌ ｌｏｇｇ Ｃｅｒｅａｌｓ", "kc", "Ｋｅｌ ｌｏｇｇ Ｃｅｒｅａｌｓ")]
    public void A_name_is_found_in_a_window_of_three_words_and_eleven_letters_or_more(string text, string markId, string matched)
    {
        var lexicon = Lexicon.Build(
            [new Mark("tdr", "Tokyo Disney Resort"), new Mark("kc", "Kellogg Cereals"), new Mark("nike", "Nike")],
            RiskTerms.Default,
            WordList.FromWords([.. TestLexicon.Words, "tickets", "map", "box"]));

        var hit = Assert.Single(lexicon.Screen(text), h => h.MarkId == markId);

        Assert.Equal(HitKind.Lookalike, hit.Kind);
        Assert.Equal(matched, hit.Matched);
        Assert.Equal(matched, text.Substring(hit.Start, hit.Length));
    }

    [Theory]
    [InlineData("Zenoblade Chronicle Two game", "Zenoblade Chronicle Two")] // its first letter changed: found by its last ones
    [InlineData("正品 Zenoblade Chronicle Two 游戏", "Zenoblade Chronicle Two")]
    [InlineData("ｚｅｎｏｂｌａｄｅ ｃｈｒｏｎｉｃｌｅ ｔｗｏ", "ｚｅｎｏｂｌａｄｅ ｃｈｒｏｎｉｃｌｅ ｔｗｏ")]
    [InlineData("Xenoblade Chronicle Twq game", "Xenoblade Chronicle Twq")] // its last letter changed: found by its first ones
    public void A_window_of_three_words_is_looked_up_by_its_own_ends_beside_a_shorter_name(string text, string matched)
    {
        // "Zenoblade Chronicle" is a window of two words long enough for the anchors of the name of two words: the
        // window of three words that starts at the same word must look up its own last letters, not that one's.
        var lexicon = Lexicon.Build([new Mark("two", "Xenoblade Chronicle Two"), new Mark("one", "Xenoblade Chronicle")], RiskTerms.Default, WordList.FromWords(TestLexicon.Words));

        var hit = Assert.Single(lexicon.Screen(text), h => h.MarkId == "two");
        Assert.Equal(HitKind.Lookalike, hit.Kind);
        Assert.Equal(matched, hit.Matched);
    }

    [Theory]
    [InlineData("nice shoes", "nike")] // an ordinary word one letter from a mark
    [InlineData("apple pie recipe", "apple")] // the mark's own exclusion
    [InlineData("pineapple juice", "apple")] // a word that holds the mark
    [InlineData("sea gate", "seagate")] // a mark cut into ordinary words
    [InlineData("in time", "seagate")]
    [InlineData("bots for sale", "boots")] // a different word, even if one letter away
    [InlineData("em", "3m")] // a letter where the mark has a digit
    [InlineData("arlo camera", "ario")] // l for i only counts among capitals
    [InlineData("ll", "lili")]
    [InlineData("ddr3 memory", "eand")] // a digit in a model number is not a one-letter mark
    [InlineData("mc812ll", "eand")]
    [InlineData("ikia", "ikea")] // an edit in a mark of fewer than five letters
    [InlineData("nikke", "lululemon")]
    [InlineData("", "nike")]
    public void Ordinary_text_is_not_a_hit(string text, string markId) =>
        Assert.DoesNotContain(TestLexicon.Shared.Screen(text), h => h.MarkId == markId);

    [Theory]
    [InlineData("REPLICA bags", "replica", "REPLICA")]
    [InlineData("1:1 copy", "1:1", "1:1")]
    [InlineData("AAA grade", "aaa", "AAA")]
    [InlineData("高仿包包", "高仿", "高仿")]
    [InlineData("外贸原单", "原单", "原单")]
    [InlineData("rep1ica", "replica", "rep1ica")]
    public void Finds_risk_terms(string text, string term, string matched)
    {
        var hit = Assert.Single(TestLexicon.Shared.Screen(text), h => h.Kind == HitKind.RiskTerm && h.Mark == term);
        Assert.Equal(matched, text.Substring(hit.Start, hit.Length));
        Assert.Null(hit.MarkId);
        Assert.Equal(ReasonCode.RiskTerm, hit.ReasonCode);
        Assert.NotNull(hit.Language);
    }

    [Theory]
    [InlineData("11 inch")]
    [InlineData("a aa")]
    [InlineData("replicant")]
    public void Risk_terms_need_their_own_characters(string text) =>
        Assert.DoesNotContain(TestLexicon.Shared.Screen(text), h => h.Kind == HitKind.RiskTerm);

    [Fact]
    public void Each_name_of_a_mark_is_a_hit_of_that_mark()
    {
        var hits = TestLexicon.Shared.Screen("Nike耐克 shoes");

        Assert.Equal([("nike", "Nike", "Nike"), ("nike", "耐克", "耐克")], hits.Select(h => (h.MarkId, h.Mark, h.Matched)));
    }

    [Fact]
    public void A_text_with_several_marks_reports_each_in_order()
    {
        var hits = TestLexicon.Shared.Screen("N1KE and adidas replica");

        Assert.Equal(["nike", "adidas", null], hits.Select(h => h.MarkId));
        Assert.Equal([HitKind.Lookalike, HitKind.Exact, HitKind.RiskTerm], hits.Select(h => h.Kind));
        Assert.True(hits[0].Start < hits[1].Start && hits[1].Start < hits[2].Start);
    }

    [Fact]
    public void Exact_only_mode_reports_no_lookalikes()
    {
        var hits = TestLexicon.Shared.Screen("Nike N1KE adidsa replica", ScreeningMode.ExactOnly);

        Assert.Equal([HitKind.Exact, HitKind.RiskTerm], hits.Select(h => h.Kind));
    }

    [Fact]
    public void Visual_tricks_score_higher_than_arbitrary_edits()
    {
        var lexicon = TestLexicon.Shared;
        double Score(string text) => Assert.Single(lexicon.Screen(text), h => h.MarkId == "walmart").Score;

        Assert.Equal(1.0, Score("walmart"));
        Assert.InRange(Score("wa1mart"), 0.8, 0.99);
        Assert.InRange(Score("ｗａｌｍａｒｔ"), 0.8, 0.99);
        Assert.InRange(Score("walnart"), 0.3, 0.79);
        Assert.True(Score("wa1mart") > Score("walnart"));
        Assert.True(Score("walmrat") > Score("walxmart"), "a typo (letters swapped) is more likely than a random letter");
    }

    [Fact]
    public void Exact_hits_of_one_pattern_written_differently_each_keep_their_own_text()
    {
        // Exact hits share their normalised form and a text written as before: a new spelling must not see the old one.
        var lexicon = TestLexicon.Build();
        string[] texts = ["Nike", "NIKE", "Nike", "nike shoes", "鼎泰豐", "鼎泰丰", "鼎泰豐", "Ｎｉｋｅ", "NIKE"];
        foreach (var text in texts)
        {
            var hit = Assert.Single(lexicon.Screen(text), h => h.MarkId is "nike" or "dintaifung");
            Assert.Equal(text.Substring(hit.Start, hit.Length), hit.Matched);
            Assert.Equal(hit.MarkId == "nike" ? "nike" : "鼎泰丰", hit.Normalised);
        }
    }

    [Fact]
    public void Hits_carry_the_normalised_form_and_reason_arguments()
    {
        var hit = Assert.Single(TestLexicon.Shared.Screen("Νike"));

        Assert.Equal("nike", hit.Normalised);
        Assert.Equal(LookalikeSigns.Homoglyph, hit.Signs);
        Assert.Equal(["Νike", "Nike", "Ν for n"], hit.ReasonArguments);
        Assert.Equal("\"Νike\" looks like the mark \"Nike\": lookalike letters of another alphabet (Ν for n).", hit.Reason);
        Assert.Equal("lookalike.homoglyph", hit.ReasonCode.ToWire());
    }

    [Theory]
    [InlineData("ab\uD800cd")]
    [InlineData("\uDC00nike\uD800")]
    [InlineData("\uD83D")]
    [InlineData("\0\u200B\uFEFF")]
    [InlineData("   ")]
    public void Broken_or_empty_text_is_screened_without_error(string text)
    {
        var hits = TestLexicon.Shared.Screen(text);
        Assert.All(hits, h => Assert.Equal(h.Matched, text.Substring(h.Start, h.Length)));
    }

    [Fact]
    public void A_lone_surrogate_ends_a_word()
    {
        var hit = Assert.Single(TestLexicon.Shared.Screen("\uDC00nike\uD800"), h => h.MarkId == "nike");
        Assert.Equal((1, 4), (hit.Start, hit.Length));
    }

    [Fact]
    public void A_megabyte_on_one_line_is_screened_and_the_hits_are_capped()
    {
        var text = string.Concat(Enumerable.Repeat("nike ", 1 << 18));
        Assert.True(text.Length > 1_000_000);

        var hits = TestLexicon.Shared.Screen(text);

        Assert.Equal(10_000, hits.Count);
        Assert.All(hits.Take(3), h => Assert.Equal("nike", h.Matched));
        Assert.Equal(5 * 9_999, hits[^1].Start);
    }

    [Fact]
    public void Exact_only_screening_keeps_the_hits_up_to_the_cap_in_the_order_of_their_end()
    {
        // "air" ends before the "nike air max" around it: the capped hits are the first 10,000 by end, the
        // 5,000th title's "air" in and its "nike air max" out.
        var lexicon = Lexicon.Build([new Mark("nam", "Nike Air Max"), new Mark("air", "Air")]);
        var text = "air " + string.Concat(Enumerable.Repeat("nike air max ", 6_000));

        var hits = lexicon.Screen(text, ScreeningMode.ExactOnly);

        Assert.Equal(10_000, hits.Count);
        Assert.Equal(("air", 4 + (13 * 4_999) + 5), (hits[^1].MarkId, hits[^1].Start));
        Assert.DoesNotContain(hits, h => h.Start == 4 + (13 * 4_999));
    }

    [Fact]
    public void A_megabyte_without_spaces_is_screened()
    {
        var text = new string('x', 1 << 20) + " adidas";

        var hit = Assert.Single(TestLexicon.Shared.Screen(text));

        Assert.Equal((1 << 20) + 1, hit.Start);
    }

    [Fact]
    public void Many_threads_screen_one_lexicon_with_the_same_results()
    {
        string[] texts = ["N1KE and adidas", "耐剋 replica", "rnicrosoft", "nice shoes", "ｎｉｋｅ", "adi das"];
        var expected = texts.Select(t => Describe(TestLexicon.Shared.Screen(t))).ToArray();

        var results = new string[texts.Length * 200];
        Parallel.For(0, results.Length, i => results[i] = Describe(TestLexicon.Shared.Screen(texts[i % texts.Length])));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i % texts.Length], results[i]);
        }
    }

    [Theory]
    // A thread remembers what words were (ordinary, a mark's word): what it learnt with one lexicon must not
    // answer for another, whose word list or marks differ.
    [InlineData("walmert deals", "walmert")]
    [InlineData("adidsa originals", "adidsa")]
    [InlineData("samsumg 耐克 galaxy", "samsumg")]
    [InlineData("ｗａｌｍｅｒｔ deals", "walmert")]
    [InlineData("正品 walmrt 运动鞋", "walmrt")]
    public void A_word_remembered_with_one_lexicon_is_looked_up_again_with_another(string text, string word)
    {
        var plain = TestLexicon.Shared;
        var knowing = Lexicon.Build(TestLexicon.Marks, RiskTerms.Default, WordList.FromWords([.. TestLexicon.Words, word]));
        var changed = plain.WithChanges([new Mark("other", "Walmert", "Adidsa", "Samsumg", "Walmrt")], []);
        var expected = new[] { plain, knowing, changed }.Select(l => Describe(l.Screen(text))).ToArray();
        Assert.Contains(":Lookalike:", expected[0], StringComparison.Ordinal);
        Assert.DoesNotContain(":Lookalike:", expected[1], StringComparison.Ordinal);

        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(expected[0], Describe(plain.Screen(text)));
            Assert.Equal(expected[1], Describe(knowing.Screen(text)));
            Assert.Equal(expected[2], Describe(changed.Screen(text)));
        }
    }

    [Theory]
    // The letters pass writes a repeated unit out as several letters ("oo" of Google is one unit read twice) and
    // keeps no unit per letter: an edit is named by the character written where it was made, after repeats, in
    // full width, beside Chinese, in another alphabet.
    [InlineData("Googlw phone", "Googlw", "w for e")]
    [InlineData("正品Googlw手机", "Googlw", "w for e")]
    [InlineData("Ｇｏｏｇｌｗ", "Ｇｏｏｇｌｗ", "ｗ for e")]
    [InlineData("Gооglw", "Gооglw", "w for e")]
    [InlineData("Gooogle Googlw", "Googlw", "w for e")]
    [InlineData("Seagatw drive", "Seagatw", "w for e")]
    [InlineData("Wwalmart Samsumg", "Samsumg", "m for n")]
    [InlineData("lululemom 鼎泰豐", "lululemom", "m for n")]
    [InlineData("Boota", "Boota", "a for s")]
    public void An_edit_is_named_by_the_character_written_where_it_was_made(string text, string matched, string edit)
    {
        var hit = Assert.Single(TestLexicon.Shared.Screen(text), h => h.Matched == matched);

        Assert.Equal(HitKind.Lookalike, hit.Kind);
        Assert.Equal(edit, hit.ReasonArguments[^1]);
    }

    [Theory]
    // Letters drawn like another ("rn" for m, "vv" for w) are read again only in windows that hold the whole pair,
    // also when the pair spans two words of the window; a pair cut by the window's edge is not the window's.
    [InlineData("rnicrosoft office", "rnicrosoft")]
    [InlineData("new rnicrosoft", "rnicrosoft")]
    [InlineData("Sar nsung TV", "Sar nsung")]
    [InlineData("正品 Sar nsung 电视", "Sar nsung")]
    [InlineData("正品rnicrosoft", "rnicrosoft")]
    [InlineData("ｒｎｉｃｒｏｓｏｆｔ", "ｒｎｉｃｒｏｓｏｆｔ")]
    [InlineData("vvalmart sale", "vvalmart")]
    [InlineData("new vvalmart", "vvalmart")]
    public void Drawn_letters_are_read_again_in_the_windows_that_hold_them(string text, string matched)
    {
        var hit = Assert.Single(TestLexicon.Shared.Screen(text), h => h.Kind == HitKind.Lookalike);

        Assert.Equal(matched, hit.Matched);
        Assert.True((hit.Signs & LookalikeSigns.LookalikeLetters) != LookalikeSigns.None, hit.Reason);
    }

    private static string Describe(IReadOnlyList<ScreeningHit> hits) =>
        string.Join(";", hits.Select(h => FormattableString.Invariant($"{h.MarkId}:{h.Kind}:{h.Start}:{h.Length}:{h.ReasonCode}")));
}
