using System.Numerics;
using Tracemark.Matching.Automaton;
using Tracemark.Matching.Compilation;
using Tracemark.Matching.Normalisation;
using Tracemark.Matching.Screening;

namespace Tracemark.Matching.Tests;

/// <summary>The automaton, the edit distance and the edit-distance index against plain reference implementations.</summary>
public sealed class AlgorithmTests
{
    private struct Collect : IPatternSink
    {
        public List<(int Pattern, int End)> Found;

        public readonly void OnMatch(int pattern, int end) => Found.Add((pattern, end));
    }

    [Theory]
    [InlineData(1, "ab", 40, 3)]
    [InlineData(2, "abc", 300, 5)]
    [InlineData(3, "abcdefghij0123456789", 2000, 8)]
    [InlineData(4, "ab耐克鼎丰", 300, 4)]
    public void The_automaton_reports_exactly_every_occurrence_of_every_pattern(int seed, string alphabet, int patternCount, int maxLength)
    {
        var random = new Random(seed);
        string Word(int length) => new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        var patterns = Enumerable.Range(0, patternCount).Select(_ => Word(1 + random.Next(maxLength))).ToList();
        patterns.Add(patterns[0]); // duplicates are reported once each
        var (keys, offsets) = Flatten(patterns);

        var automaton = PatternAutomaton.Build(keys, offsets, patterns.Count);
        var text = Word(5000) + "xyz" + Word(500);
        var sink = new Collect { Found = [] };
        automaton.Scan(text, ref sink);

        var expected = new List<(int, int)>();
        for (var end = 1; end <= text.Length; end++)
        {
            for (var p = 0; p < patterns.Count; p++)
            {
                if (end >= patterns[p].Length && text.AsSpan(end - patterns[p].Length, patterns[p].Length).SequenceEqual(patterns[p]))
                {
                    expected.Add((p, end));
                }
            }
        }

        Assert.Equal(expected.Order(), sink.Found.Order());
    }

    [Theory]
    [InlineData("nike nikes nikeshoes buynikeshoes bike", false)]
    [InlineData("nike nikes nikeshoes buynikeshoes bike", true)]
    [InlineData("ｎｉｋｅ ＮＩＫＥｓ ｎｉｋｅｓｈｏｅｓ", true)]
    [InlineData("正品耐克运动鞋 耐克nike耐克", true)]
    [InlineData("正品耐克运动鞋 耐克nike耐克", false)]
    [InlineData("Νike Adidasshoes adidas's n.i.k.e adi das", true)]
    [InlineData("iphone4 nike2000 4adidas sale", true)]
    public void The_aligned_scan_reports_what_the_screening_can_use_of_the_plain_scan(string text, bool glue)
    {
        string[] patterns = ["nike", "ike", "adidas", "shoe", "shoes", "耐克", "克", "运动", "s", "sale", "ni", "das"];
        bool[] mayGlue = [.. patterns.Select(p => p.Length >= 4 && p != "shoe")];
        var (keys, offsets) = Flatten(patterns);

        var automaton = PatternAutomaton.Build(keys, offsets, patterns.Length, mayGlue);
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        var key = stream.Key.AsSpan(0, stream.Length);
        var all = new Collect { Found = [] };
        automaton.Scan(key, ref all);
        var aligned = new Collect { Found = [] };
        automaton.ScanAligned(key, stream.Flags.AsSpan(0, stream.Length), glue, ref aligned);

        // At a word's end (or before a plural s) the patterns that start at a word's start; glue patterns anywhere.
        var plural = new Func<int, bool>(end => end < stream.Length && stream.Key[end] == 's' && stream.IsAligned(end + 1));
        var expected = all.Found
            .Where(f => (glue && mayGlue[f.Pattern])
                || ((stream.IsAligned(f.End) || plural(f.End)) && stream.IsAligned(f.End - patterns[f.Pattern].Length)))
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Order(), aligned.Found.Order());
    }

    [Theory]
    [InlineData(11, "abcdefghijklmnopqrstuvwxyz0123456789", 3000, 7)]
    [InlineData(12, "abnkes1", 400, 6)]
    [InlineData(13, "ab12耐克鼎丰", 300, 4)]
    [InlineData(14, "nikeadsho", 60, 9)]
    [InlineData(15, "ab耐克鼎丰运动鞋正品男女款新春夏秋冬季大小号红黄蓝绿白黑色长短袖衫裤帽包", 2000, 4)] // symbols beyond the first 64 are found by their symbol
    public void The_walk_from_word_starts_finds_what_the_aligned_scan_finds_without_glue(int seed, string alphabet, int patternCount, int maxLength)
    {
        var random = new Random(seed);
        string Word(int length) => new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        var patterns = Enumerable.Range(0, patternCount).Select(_ => Word(1 + random.Next(maxLength))).ToList();
        patterns.Add(patterns[0]); // a pattern twice: both are reported, in order
        patterns.Add("s");
        var (keys, offsets) = Flatten(patterns);

        var automaton = PatternAutomaton.Build(keys, offsets, patterns.Count);
        string[] separators = [" ", " ", " ", ".", "-", "\u3000", ", ", "'"];
        var stream = new TextStream();
        var found = 0;
        for (var round = 0; round < 200; round++)
        {
            // Words of the alphabet (digits next to letters make soft boundaries, Chinese its own words),
            // sometimes a pattern as it is, between various separators.
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ =>
                (random.Next(3) == 0 ? patterns[random.Next(patterns.Count)] : Word(random.Next(1, 9))) + separators[random.Next(separators.Length)]));
            Scanner.Normalise(text, stream);
            var key = stream.Key.AsSpan(0, stream.Length);
            var flags = stream.Flags.AsSpan(0, stream.Length);
            var aligned = new Collect { Found = [] };
            automaton.ScanAligned(key, flags, false, ref aligned);
            var walked = new Collect { Found = [] };
            automaton.ScanFromStarts(key, flags, ref walked);

            var inAutomatonOrder = walked.Found.OrderBy(f => f.End).ThenBy(f => f.End - patterns[f.Pattern].Length).ThenBy(f => f.Pattern);
            Assert.Equal(aligned.Found, inAutomatonOrder);
            found += aligned.Found.Count;
        }

        Assert.True(found > 100, $"only {found} occurrences: the texts do not exercise the walk");
    }

    [Theory]
    [InlineData(21, "abcdefghijklmnopqrstuvwxyz0123456789", 3000, 7)]
    [InlineData(22, "abnkes1", 400, 6)]
    [InlineData(23, "ab12耐克鼎丰", 300, 4)]
    [InlineData(24, "nikeadsho", 60, 9)]
    public void The_walk_from_word_starts_and_from_inside_words_finds_what_the_aligned_scan_finds_with_glue(int seed, string alphabet, int patternCount, int maxLength)
    {
        var random = new Random(seed);
        string Word(int length) => new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        var patterns = Enumerable.Range(0, patternCount).Select(_ => Word(1 + random.Next(maxLength))).ToList();
        patterns.Add(patterns[0]);
        patterns.Add("s");
        bool[] mayGlue = [.. patterns.Select(_ => random.Next(3) > 0)];
        var (keys, offsets) = Flatten(patterns);

        var automaton = PatternAutomaton.Build(keys, offsets, patterns.Count, mayGlue);
        string[] separators = [" ", " ", " ", ".", "-", "\u3000", ", ", "'", ""];
        var stream = new TextStream();
        var glued = 0;
        for (var round = 0; round < 200; round++)
        {
            // Patterns glued to words and to each other (no separator), digits beside letters (soft boundaries).
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ =>
                (random.Next(3) == 0 ? patterns[random.Next(patterns.Count)] : Word(random.Next(1, 9))) + separators[random.Next(separators.Length)]));
            Scanner.Normalise(text, stream);
            var key = stream.Key.AsSpan(0, stream.Length);
            var flags = stream.Flags.AsSpan(0, stream.Length);
            var aligned = new Collect { Found = [] };
            automaton.ScanAligned(key, flags, true, ref aligned);
            var walked = new Collect { Found = [] };
            automaton.ScanFromStarts(key, flags, ref walked);
            var starts = walked.Found.Count;
            for (var first = 0; first < stream.Length;)
            {
                var last = first + 1;
                while (last < stream.Length && (flags[last] & UnitFlags.HardBoundary) == UnitFlags.None)
                {
                    last++;
                }

                automaton.ScanGlued(key, flags, first, last, ref walked);
                first = last;
            }

            // Only glue patterns inside a word are missing, and no occurrence across a break between words is.
            var reference = aligned.Found.Where(f => !Across(f)).ToList();
            var inAutomatonOrder = walked.Found.OrderBy(f => f.End).ThenBy(f => f.End - patterns[f.Pattern].Length).ThenBy(f => f.Pattern);
            Assert.Equal(reference, inAutomatonOrder);
            Assert.All(aligned.Found.Where(Across), f => Assert.True(mayGlue[f.Pattern]));
            glued += walked.Found.Count - starts;

            bool Across((int Pattern, int End) f)
            {
                for (var k = f.End - patterns[f.Pattern].Length + 1; k < f.End; k++)
                {
                    if ((stream.Flags[k] & UnitFlags.HardBoundary) != UnitFlags.None)
                    {
                        return !stream.IsAligned(f.End - patterns[f.Pattern].Length) || !(stream.IsAligned(f.End) || (stream.Key[f.End] == 's' && stream.IsAligned(f.End + 1)));
                    }
                }

                return false;
            }
        }

        Assert.True(glued > 100, $"only {glued} glued occurrences: the texts do not exercise the walk inside words");
    }

    [Theory]
    [InlineData("Nike Air shoes, adidas's Samsung-Galaxy 7-Eleven 3M tape")]
    [InlineData("正品耐克运动鞋 耐克nike耐克 阿迪达斯 康师傅方便面 雪碧")]
    [InlineData("鼎泰豐 鼎泰丰 Din Tai Fung dintaifung")]
    [InlineData("ｎｉｋｅ ＮＩＫＥｓ ｓａｍｓｕｎｇ　ＩＫＥＡ")]
    [InlineData("Νike Аpple Магнит магнит Ѕamsung Gооgle")]
    [InlineData("n.i.k.e n i k e a-d-i-d-a-s sam_sung wal.mart T-Mobile t mobile")]
    [InlineData("nikeshoes buynike nike2000 4adidas iphone4 N1KE g00gle lKEA GoogIe")]
    [InlineData("H&M e& best buy BestBuy apple pie Apple iPhone lululemon lili ario")]
    [InlineData("耐克nike鞋Samsung三星 😀nike😀 nike\u200Bshoes")]
    public void The_walk_from_word_starts_finds_the_marks_the_aligned_scan_finds_in_real_writing(string text)
    {
        var set = TestLexicon.Build().Sets[0];
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        var key = stream.Key.AsSpan(0, stream.Length);
        var flags = stream.Flags.AsSpan(0, stream.Length);
        var aligned = new Collect { Found = [] };
        set.Automaton.ScanAligned(key, flags, false, ref aligned);
        var walked = new Collect { Found = [] };
        set.Automaton.ScanFromStarts(key, flags, ref walked);

        Assert.NotEmpty(aligned.Found);
        Assert.Equal(aligned.Found, walked.Found.OrderBy(f => f.End).ThenBy(f => f.End - set.Patterns[f.Pattern].Length).ThenBy(f => f.Pattern));
    }

    [Theory]
    [InlineData("nikeshoes buynikeshoes nike2000shoes adidasoriginals Samsunggalaxy")]
    [InlineData("正品耐克运动鞋 耐克nikeshoes耐克 阿迪达斯buyadidas康师傅 雪碧sprite")]
    [InlineData("ｎｉｋｅｓｈｏｅｓ ＮＩＫＥｓ ｓａｍｓｕｎｇｐｈｏｎｅ　ＩＫＥＡｓｏｆａ")]
    [InlineData("Νikeshoes Аppleiphone Ѕamsungtv Gооglepixel")]
    [InlineData("n.i.k.e.shoes adi-dasshoes sam_sungtv walmartstore T-Mobilephone")]
    [InlineData("N1KEshoes g00gleplay lKEAsofa GoogIepixel buyNIKEshoes cheapNikeShoes")]
    [InlineData("耐克nike鞋Samsung三星 😀nikeshoes😀 nike\u200Bshoes")]
    public void The_walk_inside_words_finds_the_glued_marks_the_aligned_scan_finds_in_real_writing(string text)
    {
        var set = TestLexicon.Build().Sets[0];
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        var key = stream.Key.AsSpan(0, stream.Length);
        var flags = stream.Flags.AsSpan(0, stream.Length);
        var aligned = new Collect { Found = [] };
        set.Automaton.ScanAligned(key, flags, true, ref aligned);
        var walked = new Collect { Found = [] };
        set.Automaton.ScanFromStarts(key, flags, ref walked);
        var starts = walked.Found.Count;
        for (var first = 0; first < stream.Length;)
        {
            var last = first + 1;
            while (last < stream.Length && (flags[last] & UnitFlags.HardBoundary) == UnitFlags.None)
            {
                last++;
            }

            set.Automaton.ScanGlued(key, flags, first, last, ref walked);
            first = last;
        }

        // What the aligned scan reports besides: glue patterns across a break between words, which no screening keeps.
        var across = aligned.Found.Where(f =>
        {
            var start = f.End - set.Patterns[f.Pattern].Length;
            var crosses = Enumerable.Range(start + 1, f.End - start - 1).Any(k => (stream.Flags[k] & UnitFlags.HardBoundary) != UnitFlags.None);
            return crosses && (!stream.IsAligned(start) || !(stream.IsAligned(f.End) || (stream.Key[f.End] == 's' && stream.IsAligned(f.End + 1))));
        }).ToList();
        Assert.True(walked.Found.Count > starts, "no glued occurrence: the row does not exercise the walk inside words");
        Assert.Equal(aligned.Found.Except(across), walked.Found.OrderBy(f => f.End).ThenBy(f => f.End - set.Patterns[f.Pattern].Length).ThenBy(f => f.Pattern));
    }

    [Theory]
    [InlineData("Nikee")]
    [InlineData("wallmart")]
    [InlineData("WALLMART")]
    [InlineData("N1KE")]
    [InlineData("lKEA")]
    [InlineData("GoogIe")]
    [InlineData("g00gle")]
    [InlineData("iphone4")]
    [InlineData("ddr3")]
    [InlineData("aaaaa")]
    [InlineData("Zz9")]
    [InlineData("x")]
    [InlineData("Adidas")]
    [InlineData("ADIDAS")]
    [InlineData("MacBook")]
    [InlineData("abcdefgh")]
    [InlineData("abcdefghi")]
    [InlineData("abcdefghijklmnop")]
    [InlineData("abcdefghijklmnopq")]
    [InlineData("aBcDeFgHiJkLmNoPqRsTuVwXyZ")]
    [InlineData("abcdefgHIJKLMNOPqrstuvwxyzl")]
    [InlineData("bookkeeper")]
    [InlineData("abcdefghhijklm")]
    [InlineData("abcdefgGhijklm")]
    [InlineData("lllllllll")]
    [InlineData("Il")]
    [InlineData("abcdefghijklmnopqrstuv2")]
    public void An_ascii_word_is_normalised_as_the_general_path_does(string word)
    {
        // An ASCII space after the word takes the fast path; an ideographic space (not ASCII) the general one.
        // Words longer than eight letters, and repeats across a block of eight, cross the vector path's blocks.
        AssertSameUnits(Normalised(word + "\u3000鞋"), Normalised(word + " 鞋"));

        // At the end of the text the vector path reads past it: what it reads there must not count.
        AssertSameUnits(Normalised(word + "\u3000"), Normalised(word));
        AssertSameUnits(Normalised("鞋\u3000" + word + "\u3000"), Normalised("鞋 " + word));
    }

    [Theory]
    [InlineData("ｎｉｋｅ air max shoes 2024 bookkeeper")]
    [InlineData("Νike Adidas ΑDIDAS running shoes")]
    [InlineData("耐克 nike 运动鞋 adidas 阿迪达斯 GoogIe lKEA")]
    [InlineData("n i k e air zoom n.i.k.e sneakers")]
    [InlineData("N1KE g00gle iphone4 ddr3 mc812ll ram")]
    [InlineData("adidasΝ Nikeｓ café résumé naïve shoes")]
    [InlineData("$upreme adid@s hoodie US$5 sale! a | b")]
    [InlineData("鼎泰丰 鼎泰豐 dumplings ＳＡＭＳＵＮＧ galaxy tab")]
    public void Mixed_script_titles_are_normalised_as_the_general_path_does(string title)
    {
        // Ideographic spaces (not ASCII) keep every word off the ASCII word paths; the units must not change.
        AssertSameUnits(Normalised(title.Replace(' ', '\u3000')), Normalised(title));
    }

    [Fact]
    public void Random_ascii_words_are_normalised_as_the_general_path_does()
    {
        // Letters of both cases (l and I among them: the stroke), digits, repeats, words of 1 to 20 characters, with
        // the separators and symbols after which a word starts: the fast paths against the general one, word by word.
        const string alphabet = "abcdeilnosIKLMNOS0123llooee";
        var random = new Random(11);
        for (var n = 0; n < 3000; n++)
        {
            var words = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => new string([.. Enumerable.Range(0, random.Next(1, 21)).Select(_ => alphabet[random.Next(alphabet.Length)])]))
                .ToList();
            string[] separators = [" ", "-", "/", ".", ",", ":", ", ", " - ", " / ", "  ", "\t"];
            var separator = separators[random.Next(separators.Length)];
            var ideographic = new string('\u3000', separator.Length);
            var fast = string.Join(separator, words);
            var general = string.Join(ideographic, words);
            var spaces = separator.Any(char.IsWhiteSpace);
            AssertSameUnits(Normalised(general + ideographic + "鞋"), Normalised(fast + separator + "鞋"), spaces);
            AssertSameUnits(Normalised(general + ideographic), Normalised(fast), spaces);
        }
    }

    [Fact]
    public void Words_of_ascii_letters_take_the_vector_path_where_the_processor_has_vectors()
    {
        // The path is chosen by checking the character table: a change to how ASCII letters fold must not turn it
        // off unnoticed (it is the largest part of normalising).
        Assert.Equal(System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated, Scanner.VectorWords);
    }

    private static TextStream Normalised(string text)
    {
        var stream = new TextStream();
        Scanner.Normalise(text, stream);
        return stream;
    }

    private static void AssertSameUnits(TextStream general, TextStream fast, bool spaces = true)
    {
        // Unless the fast text's separators are spaces too, the general text's ideographic spaces set a flag it has not.
        var compared = spaces ? ~UnitFlags.None : ~UnitFlags.SpaceBefore;
        Assert.Equal(general.Length, fast.Length);
        for (var u = 0; u < general.Length; u++)
        {
            // The general text has an ideographic space where the fast one has an ASCII separator: same offsets, and
            // the last unit ("鞋" or the word's end) is compared too.
            Assert.Equal(
                (general.Key[u], general.Visual[u], general.VisualLast[u], general.Fold[u], general.FoldLast[u], general.Original[u], general.Start[u], general.End[u], general.Run[u], general.Flags[u] & compared),
                (fast.Key[u], fast.Visual[u], fast.VisualLast[u], fast.Fold[u], fast.FoldLast[u], fast.Original[u], fast.Start[u], fast.End[u], fast.Run[u], fast.Flags[u] & compared));
        }
    }

    [Fact]
    public void An_empty_automaton_finds_nothing()
    {
        var automaton = PatternAutomaton.Build([], [0], 0);
        var sink = new Collect { Found = [] };
        automaton.Scan("anything", ref sink);
        Assert.Empty(sink.Found);
    }

    [Theory]
    [InlineData("nike", "nike", 0)]
    [InlineData("nike", "nkie", 1)]
    [InlineData("nike", "nikes", 1)]
    [InlineData("nike", "nke", 1)]
    [InlineData("nike", "mike", 1)]
    [InlineData("adidas", "aidads", 2)]
    [InlineData("walmart", "wlamrat", 2)]
    [InlineData("ca", "abc", 3)] // optimal string alignment: no edit of a transposed pair
    public void Edit_distance_counts_insertions_deletions_substitutions_and_transpositions(string a, string b, int distance)
    {
        var matrix = new int[(a.Length + 1) * (b.Length + 1)];
        Assert.Equal(distance, EditDistance.Measure(a, b, 5, matrix));
        Assert.Equal(Math.Min(distance, 2), EditDistance.Measure(a, b, 1, matrix));
    }

    [Fact]
    public void Edit_distance_agrees_with_a_plain_implementation_on_random_words()
    {
        var random = new Random(7);
        var matrix = new int[100 * 100];
        for (var n = 0; n < 2000; n++)
        {
            var a = new string([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => "abcd"[random.Next(4)])]);
            var b = new string([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => "abcd"[random.Next(4)])]);
            Assert.Equal(Reference(a, b), EditDistance.Measure(a, b, 10, matrix));
        }

        static int Reference(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                for (var j = 0; j <= b.Length; j++)
                {
                    d[i, j] = i == 0 ? j : j == 0 ? i : Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                    }
                }
            }

            return d[a.Length, b.Length];
        }
    }

    [Fact]
    public void One_deletion_each_agrees_with_trying_every_deletion()
    {
        var random = new Random(5);
        for (var n = 0; n < 5000; n++)
        {
            var a = new string([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => "abc"[random.Next(3)])]);
            var b = new string([.. Enumerable.Range(0, random.Next(1, 9)).Select(_ => "abc"[random.Next(3)])]);
            Assert.Equal(Deletions(a).Intersect(Deletions(b), StringComparer.Ordinal).Any(), EditDistance.IsOneDeletionEach(a, b));
        }

        static IEnumerable<string> Deletions(string word) => Enumerable.Range(0, word.Length).Select(k => word.Remove(k, 1)).Append(word);
    }

    [Theory]
    [InlineData("lgelectronics", "rdelectronics", false)] // two letters changed in place
    [InlineData("xadidasoriginal", "adidasoriginals", true)] // one added at the start, one left out at the end
    [InlineData("adidsaoriginals", "adidasoriginals", true)] // two swapped
    [InlineData("ｎｉｋｅ", "ｎｉｋｅｅ", true)] // full width, one added
    [InlineData("耐克中国", "耐克", false)] // two left out
    [InlineData("阿迪达斯", "阿迪达丝", true)] // Chinese, one changed
    [InlineData("耐克nike", "耐克nikee", true)] // mixed scripts, one added
    [InlineData("耐克nike", "耐nikke", true)] // mixed scripts, one left out and another added
    public void One_deletion_each_rows(string a, string b, bool expected) => Assert.Equal(expected, EditDistance.IsOneDeletionEach(a, b));

    [Fact]
    public void A_range_hash_is_the_hash_of_those_letters_alone()
    {
        const string text = "xx adidas yy";
        Span<ulong> prefix = stackalloc ulong[text.Length + 1];
        Span<ulong> word = stackalloc ulong[7];
        FuzzyIndex.Prefixes(text, prefix);
        FuzzyIndex.Prefixes("adidas", word);
        Assert.Equal(word[6], FuzzyIndex.Range(prefix, 3, 9));
        Assert.Equal(word[3], FuzzyIndex.Range(prefix, 3, 6));
        Assert.NotEqual(FuzzyIndex.Range(prefix, 3, 9), FuzzyIndex.Range(prefix, 3, 8));
    }

    [Fact]
    public void The_index_proposes_every_name_within_one_edit_of_a_window()
    {
        // Random names and every single edit of each (a letter changed, added, left out, two swapped): the
        // anchors must never miss one, whatever the edit's position.
        var random = new Random(11);
        var names = new List<FuzzyName>();
        var letters = new List<char>();
        var words = new List<string>();
        for (var n = 0; n < 300; n++)
        {
            var word = new string([.. Enumerable.Range(0, random.Next(FuzzyIndex.MinLetters, 16)).Select(_ => (char)('a' + random.Next(6)))]);
            names.Add(new FuzzyName(n, 0, letters.Count, word.Length, FuzzyIndex.BudgetFor(word.Length), 1));
            letters.AddRange(word);
            words.Add(word);
        }

        var index = FuzzyIndex.Build(names, letters);
        var found = new List<int>();
        for (var n = 0; n < words.Count; n++)
        {
            foreach (var edited in Edits(words[n]))
            {
                var prefix = new ulong[edited.Length + 1];
                FuzzyIndex.Prefixes(edited, prefix);
                found.Clear();
                index.Find(1, prefix, 0, edited.Length, FuzzyIndex.LetterMask(edited), found);
                Assert.True(found.Contains(n), $"{edited} does not propose {words[n]}");
            }
        }

        static IEnumerable<string> Edits(string word)
        {
            yield return word;
            for (var k = 0; k < word.Length; k++)
            {
                yield return word.Remove(k, 1);
                yield return word[..k] + 'z' + word[(k + 1)..];
                yield return word.Insert(k, "z");
                if (k + 1 < word.Length)
                {
                    yield return word[..k] + word[k + 1] + word[k] + word[(k + 2)..];
                }
            }

            yield return word + "z";
        }
    }

    [Fact]
    public void The_index_proposes_names_of_several_words_whatever_letters_their_neighbours_use()
    {
        // Few names per word count and length, from the whole alphabet, so that the letters the names of one
        // length use (which let a window skip that length) differ from length to length: every edit of a name,
        // with a letter no name uses ('7'), and the name split into one word more must still propose it.
        var random = new Random(12);
        var names = new List<FuzzyName>();
        var letters = new List<char>();
        var written = new List<string>();
        for (var n = 0; n < 200; n++)
        {
            var wordCount = random.Next(1, 5);
            var word = new string([.. Enumerable.Range(0, random.Next(FuzzyIndex.MinLetters, 24)).Select(_ => (char)('a' + random.Next(26)))]);
            names.Add(new FuzzyName(n, 0, letters.Count, word.Length, FuzzyIndex.BudgetFor(word.Length), wordCount));
            letters.AddRange(word);
            written.Add(word);
        }

        var index = FuzzyIndex.Build(names, letters);
        var found = new List<int>();
        for (var n = 0; n < written.Count; n++)
        {
            var word = written[n];
            Assert.True(Proposes(word, names[n].Words + 1, n), $"{word} split does not propose itself");
            for (var k = 0; k < word.Length; k++)
            {
                foreach (var edited in (string[])[word.Remove(k, 1), word[..k] + '7' + word[(k + 1)..], word.Insert(k, "7"), word[..k] + word[word.Length - 1 - k] + word[(k + 1)..]])
                {
                    Assert.True(Proposes(edited, names[n].Words, n), $"{edited} does not propose {word} ({names[n].Words} words)");
                }
            }
        }

        bool Proposes(string window, int words, int name)
        {
            var prefix = new ulong[window.Length + 1];
            FuzzyIndex.Prefixes(window, prefix);
            found.Clear();
            index.Find(words, prefix, 0, window.Length, FuzzyIndex.LetterMask(window), found);
            return found.Contains(name);
        }
    }

    [Theory]
    [InlineData(21, 6)]
    [InlineData(22, 26)]
    public void Every_window_proposes_exactly_the_names_whose_anchors_it_shows(int seed, int alphabet)
    {
        // Names of one to five words and 5 to 30 letters, texts made of their pieces (so that anchors match often)
        // and of random words; every window of up to six words of each text must propose exactly the names the index
        // is meant to: a name of the window's word count within one letter of its length whose letters differ by at
        // most one each way and that shows one of its anchors, or a name of one word fewer spelt exactly.
        var random = new Random(seed);
        var names = new List<FuzzyName>();
        var letters = new List<char>();
        var written = new List<string>();
        string Word(int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(alphabet)))]);
        for (var n = 0; n < 400; n++)
        {
            var word = Word(random.Next(FuzzyIndex.MinLetters, 31));
            names.Add(new FuzzyName(n, 0, letters.Count, word.Length, FuzzyIndex.BudgetFor(word.Length), random.Next(1, 6)));
            letters.AddRange(word);
            written.Add(word);
        }

        var index = FuzzyIndex.Build(names, letters);
        var found = new List<int>();
        var proposed = 0;
        for (var t = 0; t < 300; t++)
        {
            // A text of words: names cut into words (one letter changed at times), their first or last letters, and
            // random words.
            var words = new List<string>();
            for (var w = random.Next(1, 10); w > 0; w--)
            {
                var name = written[random.Next(written.Count)];
                var cut = random.Next(1, name.Length + 1);
                switch (random.Next(4))
                {
                    case 0:
                        words.Add(name[..cut]);
                        break;
                    case 1:
                        words.Add(name[(name.Length - cut)..]);
                        break;
                    case 2:
                        words.Add(Word(random.Next(1, 9)));
                        break;
                    default:
                        var changed = random.Next(2) == 0 ? name : name.Remove(cut - 1, 1).Insert(cut - 1, Word(1));
                        var pieces = random.Next(1, 4);
                        for (var p = 0; p < pieces; p++)
                        {
                            words.Add(changed[(changed.Length * p / pieces)..(changed.Length * (p + 1) / pieces)]);
                        }

                        break;
                }
            }

            words.RemoveAll(w => w.Length == 0);
            var (text, starts) = Joined(words);

            var prefix = new ulong[text.Length + 1];
            FuzzyIndex.Prefixes(text, prefix);
            for (var w0 = words.Count - 1; w0 >= 0; w0--)
            {
                for (var w = w0; w < words.Count && w < w0 + 6; w++)
                {
                    var window = text[starts[w0]..starts[w + 1]];
                    var mask = FuzzyIndex.LetterMask(window);
                    found.Clear();
                    index.Find(w - w0 + 1, prefix, starts[w0], starts[w + 1], mask, found);
                    var expected = Enumerable.Range(0, written.Count).Where(n => Shows(window, w - w0 + 1, n)).ToList();
                    Assert.Equal(expected, found.Distinct().Order());
                    proposed += expected.Count;
                }
            }
        }

        Assert.True(proposed > 100, $"only {proposed} names proposed: the texts do not exercise the anchors");

        bool Shows(string window, int words, int n)
        {
            var name = written[n];
            var own = FuzzyIndex.LetterMask(name);
            var mask = FuzzyIndex.LetterMask(window);
            if (Math.Abs(name.Length - window.Length) > 1 || BitOperations.PopCount(own & ~mask) > 1 || BitOperations.PopCount(mask & ~own) > 1)
            {
                return false;
            }

            if (names[n].Words + 1 == words)
            {
                return string.Equals(window, name, StringComparison.Ordinal);
            }

            return names[n].Words == words && FuzzyIndex.Anchors(name.Length).ToArray().Any(anchor =>
                anchor.Head + anchor.Tail <= window.Length
                && window.AsSpan(0, anchor.Head).SequenceEqual(name.AsSpan(0, anchor.Head))
                && window.AsSpan(window.Length - anchor.Tail).SequenceEqual(name.AsSpan(name.Length - anchor.Tail)));
        }
    }

    [Theory]
    [InlineData(31, 4, 0.2)] // four letters: most windows show the ends of some name
    [InlineData(32, 26, 0.5)]
    public void A_window_of_four_words_or_more_that_the_index_proposes_a_name_passes_the_gate_of_its_ends(int seed, int alphabet, double least)
    {
        // Names of three to six words, of 5 to 30 letters (short ones are found by two letters at an end, long ones
        // by half their letters, split ones by all of them), in texts made of their pieces, mistyped at times, and of
        // random words: every window of four words or more that Find proposes a name must pass the gate, and the gate
        // must still turn most windows away, or it proves nothing.
        var random = new Random(seed);
        var names = new List<FuzzyName>();
        var letters = new List<char>();
        var written = new List<string>();
        string Word(int length) => new([.. Enumerable.Range(0, length).Select(_ => (char)('a' + random.Next(alphabet)))]);
        for (var n = 0; n < 300; n++)
        {
            var word = Word(n % 3 == 0 ? random.Next(FuzzyIndex.MinLetters, FuzzyIndex.TwoEditLetters) : random.Next(FuzzyIndex.MinLetters, 31));
            names.Add(new FuzzyName(n, 0, letters.Count, word.Length, FuzzyIndex.BudgetFor(word.Length), random.Next(3, 7)));
            letters.AddRange(word);
            written.Add(word);
        }

        var index = FuzzyIndex.Build(names, letters);
        var found = new List<int>();
        var (windows, proposing, turnedAway) = (0, 0, 0);
        for (var t = 0; t < 2000; t++)
        {
            var words = new List<string>();
            for (var w = random.Next(4, 12); w > 0; w--)
            {
                var name = written[random.Next(written.Count)];
                if (random.Next(3) == 0)
                {
                    words.Add(Word(random.Next(1, 7)));
                    continue;
                }

                // A name, one letter changed, added or left out at times, cut into as many words as it has or one more.
                var edited = random.Next(4) switch
                {
                    0 => name.Remove(random.Next(name.Length), 1),
                    1 => name.Insert(random.Next(name.Length + 1), Word(1)),
                    2 => name.Remove(random.Next(name.Length), 1).Insert(random.Next(name.Length - 1), Word(1)),
                    _ => name,
                };
                var pieces = Math.Min(edited.Length, names[written.IndexOf(name)].Words + random.Next(2));
                for (var p = 0; p < pieces; p++)
                {
                    words.Add(edited[(edited.Length * p / pieces)..(edited.Length * (p + 1) / pieces)]);
                }
            }

            words.RemoveAll(w => w.Length == 0);
            var (text, starts) = Joined(words);

            var prefix = new ulong[text.Length + 1];
            FuzzyIndex.Prefixes(text, prefix);
            for (var w0 = 0; w0 < words.Count; w0++)
            {
                for (var w = w0 + FuzzyIndex.GatedWords - 1; w < words.Count && w < w0 + 7; w++)
                {
                    var (a, b) = (starts[w0], starts[w + 1]);
                    found.Clear();
                    index.Find(w - w0 + 1, prefix, a, b, FuzzyIndex.LetterMask(text.AsSpan(a, b - a)), found);
                    var passes = FuzzyIndex.MayProposeLong(index.StartOfLong(prefix, a, text.Length), index.EndOfLong(prefix, b), b - a);
                    if (!passes && found.Count > 0)
                    {
                        Assert.Fail($"the gate turned away \"{text[a..b]}\" ({w - w0 + 1} words), proposed {written[found[0]]}");
                    }

                    windows++;
                    proposing += found.Count > 0 ? 1 : 0;
                    turnedAway += passes ? 0 : 1;
                }
            }
        }

        Assert.True(proposing > 200, $"only {proposing} of {windows} windows proposed a name: the texts do not exercise the gate");
        Assert.True(turnedAway > windows * least, $"the gate turned away only {turnedAway} of {windows} windows");
    }

    /// <summary>Patterns as the automaton takes them: every pattern's units in one array, and where each starts.</summary>
    private static (char[] Keys, int[] Offsets) Flatten(IReadOnlyList<string> patterns)
    {
        var (text, offsets) = Joined(patterns);
        return (text.ToCharArray(), offsets);
    }

    /// <summary>The words run together, and where each starts in the text (one more entry: the text's end).</summary>
    private static (string Text, int[] Starts) Joined(IReadOnlyList<string> words)
    {
        var starts = new int[words.Count + 1];
        for (var w = 0; w < words.Count; w++)
        {
            starts[w + 1] = starts[w] + words[w].Length;
        }

        return (string.Concat(words), starts);
    }
}
