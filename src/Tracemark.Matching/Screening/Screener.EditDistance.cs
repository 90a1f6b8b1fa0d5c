using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tracemark.Matching.Compilation;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Screening;

/// <summary>
/// Lookalikes by bounded Damerau–Levenshtein distance over windows of whole words, measured on the letters
/// as they read with repeats written out: "sata" is two edits from "Gatta", "vaio" two from "Valor".
/// </summary>
internal sealed partial class Screener
{
    private const int MaxWindowWords = 6;
    private const int MaxLetters = FuzzyIndex.MaxLetters + 2;
    private const int MatrixSide = MaxLetters + 2;

    /// <summary>
    /// A name shorter than this is not matched through one unrelated letter (not a neighbouring key, not a
    /// vowel, not a lookalike): one letter in five or six changed at random makes another word ("sdram" is
    /// not "Idram", "Moyer" not "Foyer"), where a disguise keeps the mark's look or sound.
    /// </summary>
    internal const int MinSubstitutionLetters = 7;

    // Letters drawn to look like one other letter ("rnicrosoft", "vvalmart").
    private static readonly (string Drawn, char Letter)[] DrawnLetters = [("rn", 'm'), ("vv", 'w')];

    // Bit c - 64 set when an ASCII character c ends a drawn pair (all of them are letters, past 64): most letters of a
    // text are looked at once, here.
    private static readonly ulong DrawnSeconds = BuildDrawnSeconds();

    private static ulong BuildDrawnSeconds()
    {
        var seconds = 0UL;
        foreach (var (drawn, _) in DrawnLetters)
        {
            if (drawn[1] is < (char)64 or >= (char)128)
            {
                throw new InvalidOperationException("A drawn pair must end with a letter of basic Latin.");
            }

            seconds |= 1UL << (drawn[1] - 64);
        }

        return seconds;
    }

    private readonly List<Word> _words = [];
    private readonly KnownWords _knownWords = new();
    private readonly List<int> _found = [];
    private char[] _letters = new char[256];

    // The same letters folded (as the word list holds them), written beside _letters for the word look-ups.
    private char[] _folded = new char[256];
    private ulong[] _prefix = new ulong[257];
    private readonly char[] _redrawn = new char[MatrixSide];
    private readonly int[] _matrix = new int[MatrixSide * MatrixSide];

    /// <summary>A word of the text between hard boundaries (letters spaced out count as one word).</summary>
    private struct Word
    {
        public int First;
        public int Last;

        /// <summary>The word's letters, repeats written out, in <see cref="_letters"/>.</summary>
        public int LetterStart;
        public int LetterEnd;

        /// <summary>The letters the word uses (<see cref="FuzzyIndex.LetterBit"/>).</summary>
        public ulong Mask;

        /// <summary>
        /// Pairs drawn like another letter ("rn", "vv") whose second letter is at most the word's first letter, and
        /// those whose second letter is before the word's end: a window from word v to word w holds a pair entirely
        /// when w's DrawnThrough exceeds v's DrawnAtStart. Kept per word, not per letter: most texts have none.
        /// </summary>
        public int DrawnAtStart;
        public int DrawnThrough;

        /// <summary>Not in a script written without spaces: Chinese is matched by its own rules.</summary>
        public bool Searchable;

        /// <summary>Digits only.</summary>
        public bool Digits;

        /// <summary>A soft boundary inside the word, or a character of a script written without spaces in it.</summary>
        public bool Pieces;

        /// <summary>Only characters of scripts written without spaces.</summary>
        public bool Unsegmented;

        /// <summary><see cref="FoldedWords.Hash"/> of the word's folded letters (in <see cref="_folded"/>, from <see cref="LetterStart"/>).</summary>
        public ulong FoldHash;

        /// <summary>What the word is, once looked up.</summary>
        public Knowledge Known;

        /// <summary>
        /// <see cref="FuzzyIndex.EndOfLong"/> of the letters the word ends with, once asked (-1 before), for the compiled
        /// set being searched.
        /// </summary>
        public short LongEnd;
    }

    [Flags]
    private enum Knowledge : byte
    {
        NotLookedUp = 0,
        LookedUp = 1,

        /// <summary>Digits, or a word of the word list.</summary>
        Ordinary = 2,

        /// <summary>A word of some mark's name.</summary>
        MarkWord = 4,

        /// <summary>Digits, or a common (lower-case) word of the word list.</summary>
        Common = 8,
    }

    /// <summary>Splits the text into words and writes out its letters once, with their prefix hashes, for every window to share.</summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SplitWords()
    {
        var s = _stream;
        var total = s.FoldLength(0, s.Length);
        if (_letters.Length < total)
        {
            _letters = new char[total];
            _folded = new char[total];
            _prefix = new ulong[total + 1];
        }

        // Every letter of every title passes here. The buffers hold total letters (and the stream's arrays its units),
        // so they are written through references without a bounds check per letter, and the running hashes and
        // count of drawn pairs are kept in registers. Which unit a letter came from (for Explain, a few windows per
        // thousand) is found again when asked (UnitOfLetter), not written per letter.
        var units = s.Flags.AsSpan(0, s.Length);
        ref var run = ref MemoryMarshal.GetArrayDataReference(s.Run);
        ref var visual = ref MemoryMarshal.GetArrayDataReference(s.Visual);
        ref var visualLast = ref MemoryMarshal.GetArrayDataReference(s.VisualLast);
        ref var fold = ref MemoryMarshal.GetArrayDataReference(s.Fold);
        ref var foldLast = ref MemoryMarshal.GetArrayDataReference(s.FoldLast);
        ref var letterBuffer = ref MemoryMarshal.GetArrayDataReference(_letters);
        ref var foldedBuffer = ref MemoryMarshal.GetArrayDataReference(_folded);
        ref var prefixBuffer = ref MemoryMarshal.GetArrayDataReference(_prefix);
        var prefix = prefixBuffer;
        var drawnPairs = 0;
        var previous = '\0';
        var letters = 0;
        for (var first = 0; first < units.Length;)
        {
            var last = first + 1;
            while (last < units.Length && (units[last] & UnitFlags.HardBoundary) == UnitFlags.None)
            {
                last++;
            }

            // The flags of the word's units, or-ed (after its first) and and-ed.
            var after = UnitFlags.None;
            var every = units[first];
            var letterStart = letters;
            var mask = 0UL;
            var hash = FoldedWords.HashStart;

            // A pair whose second letter is the word's first (the previous word ends with its first) lies in no window
            // that starts here.
            var drawnAtStart = drawnPairs;
            for (var k = first; k < last; k++)
            {
                var flags = units[k];
                after |= k > first ? flags : UnitFlags.None;
                every &= flags;

                // A run's first letter, then its repeats (most units are one letter).
                int count = Unsafe.Add(ref run, k);
                var letter = Unsafe.Add(ref visual, k);
                var folded = Unsafe.Add(ref fold, k);
                for (var r = 0; ;)
                {
                    Unsafe.Add(ref letterBuffer, letters) = letter;
                    Unsafe.Add(ref foldedBuffer, letters) = folded;
                    hash = FoldedWords.HashStep(hash, folded);
                    mask |= FuzzyIndex.LetterBit(letter);
                    prefix = FuzzyIndex.Step(prefix, letter);
                    Unsafe.Add(ref prefixBuffer, letters + 1) = prefix;

                    // Only a letter that ends a drawn pair ("n" of "rn") needs the pair's first: most fail the bit test.
                    if ((uint)(letter - 64) < 64 && (DrawnSeconds & (1UL << (letter - 64))) != 0 && letters > 0 && IsDrawnPair(previous, letter))
                    {
                        drawnPairs++;
                        drawnAtStart += letters == letterStart ? 1 : 0;
                    }

                    previous = letter;
                    letters++;
                    if (++r >= count)
                    {
                        break;
                    }

                    letter = Unsafe.Add(ref visualLast, k);
                    folded = Unsafe.Add(ref foldLast, k);
                }
            }

            var any = after | units[first];
            var pieces = (after & UnitFlags.SoftBoundary) != UnitFlags.None || (any & UnitFlags.Unsegmented) != UnitFlags.None;
            _words.Add(new Word
            {
                First = first,
                Last = last,
                LetterStart = letterStart,
                LetterEnd = letters,
                Searchable = (any & UnitFlags.Unsegmented) == UnitFlags.None,
                Mask = mask,
                DrawnAtStart = drawnAtStart,
                DrawnThrough = drawnPairs,
                Digits = (every & UnitFlags.Digit) != UnitFlags.None,
                Pieces = pieces,
                Unsegmented = pieces && (every & UnitFlags.Unsegmented) != UnitFlags.None,
                FoldHash = FoldedWords.HashEnd(hash),
                LongEnd = -1,
            });
            first = last;
        }
    }

    /// <summary>
    /// Whether a mark may be found glued inside the word (MarkHit keeps it only if IsGluedToWords): not in a word
    /// of one unit, nor of a script written without spaces, nor, when the word is one piece (no soft boundary,
    /// where IsGluedToWords reads the whole word), in a word of the word list or of a mark, or one longer than
    /// it reads. Words in pieces or of digits are always searched.
    /// </summary>
    private bool MayHoldGluedMark(ref Word word)
    {
        if (word.Last - word.First < 2 || word.Unsegmented)
        {
            return false;
        }

        if (word.Pieces || word.Digits)
        {
            return true;
        }

        return word.LetterEnd - word.LetterStart <= MaxMergedWord && (Know(ref word) & (Knowledge.Ordinary | Knowledge.MarkWord)) == Knowledge.NotLookedUp;
    }

    /// <summary>Searches every compiled set's names for lookalikes of windows of the words <see cref="SplitWords"/> found.</summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FindEditLookalikes()
    {
        var searched = false;
        foreach (var set in _lexicon.Sets)
        {
            if (set.Fuzzy.IsEmpty)
            {
                continue;
            }

            if (searched)
            {
                // What a word's last letters show was asked of the previous set's index.
                foreach (ref var word in CollectionsMarshal.AsSpan(_words))
                {
                    word.LongEnd = -1;
                }
            }

            SearchWindows(set);
            searched = true;
        }
    }

    /// <summary>
    /// Every run of up to as many words as the longest name, starting at each word, whose letters are within
    /// reach of some name's length. Ordinary text is passed over: a word of the word list ("nice" is not
    /// "Nike") or of another mark ("Canon" is not a lookalike of "Cannon"), and a run of common words ("jewel
    /// case" is not "Jewel Cafe"); a run with a name in it is searched ("Industrial Ban of Korea").
    /// </summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SearchWindows(CompiledSet set)
    {
        var index = set.Fuzzy;
        var longest = Math.Min(MaxLetters, index.LongestName + 2);
        var shortest = index.ShortestName - 1;
        var maxWords = Math.Min(MaxWindowWords, index.MostWords + 1);
        var words = CollectionsMarshal.AsSpan(_words);
        var nextUncommon = words.Length;
        for (var w0 = words.Length - 1; w0 >= 0; w0--)
        {
            // A window searched from w0 needs a word that is not common: none before nextUncommon.
            if ((Know(ref words[w0]) & Knowledge.Common) == Knowledge.NotLookedUp)
            {
                nextUncommon = w0;
            }

            if (nextUncommon - w0 >= maxWords)
            {
                continue;
            }

            var a = words[w0].LetterStart;
            var ordinary = true;
            var mask = 0UL;

            // What the first letters of windows of FuzzyIndex.GatedWords words or more from w0 show, asked once per
            // start when the first such window is reached.
            var longStart = -1;
            for (var w = w0; w < words.Length && w < w0 + maxWords && words[w].Searchable; w++)
            {
                var b = words[w].LetterEnd;
                if (b - a > longest)
                {
                    break;
                }

                var known = Know(ref words[w]);
                mask |= words[w].Mask;
                ordinary &= (known & Knowledge.Ordinary) != Knowledge.NotLookedUp;
                var searched = w == w0 ? !ordinary && (known & Knowledge.MarkWord) == Knowledge.NotLookedUp : w >= nextUncommon;
                if (searched && b - a >= shortest)
                {
                    // Drawn letters are redrawn before they are looked up, which changes the ends: such windows pass.
                    var drawn = words[w].DrawnThrough > words[w0].DrawnAtStart;
                    if (w - w0 + 1 >= FuzzyIndex.GatedWords && !drawn)
                    {
                        if (longStart < 0)
                        {
                            longStart = index.StartOfLong(_prefix, a, words[^1].LetterEnd);
                        }

                        ref var last = ref words[w];
                        if (last.LongEnd < 0)
                        {
                            last.LongEnd = (short)index.EndOfLong(_prefix, b);
                        }

                        if (!FuzzyIndex.MayProposeLong(longStart, last.LongEnd, b - a))
                        {
                            continue;
                        }
                    }

                    Probe(set, words[w0].First, words[w].Last, w - w0 + 1, a, b, mask, drawn);
                }
            }
        }
    }

    private static bool IsDrawnPair(char first, char second)
    {
        foreach (var (drawn, _) in DrawnLetters)
        {
            if (first == drawn[0] && second == drawn[1])
            {
                return true;
            }
        }

        return false;
    }

    private Knowledge Know(ref Word word)
    {
        if (word.Known == Knowledge.NotLookedUp)
        {
            var known = Knowledge.LookedUp;
            var length = word.LetterEnd - word.LetterStart;
            if (word.Digits)
            {
                known |= Knowledge.Ordinary | Knowledge.Common;
            }
            else if (length <= _fold.Length)
            {
                var folded = _folded.AsSpan(word.LetterStart, length);
                known = _knownWords.TryGet(folded, word.FoldHash, out var cached) ? cached : LookUp(folded, word.FoldHash);
            }

            word.Known = known;
        }

        return word.Known;
    }

    /// <summary>What a folded word of letters is, from the word list and the marks' words.</summary>
    private Knowledge LookUp(ReadOnlySpan<char> folded, ulong hash)
    {
        var known = Knowledge.LookedUp;
        if (_lexicon.Words.TryGetFolded(folded, hash, out var common))
        {
            known |= common ? Knowledge.Ordinary | Knowledge.Common : Knowledge.Ordinary;
        }

        if (IsMarkWord(folded, hash))
        {
            known |= Knowledge.MarkWord;
        }

        _knownWords.Set(folded, hash, known);
        return known;
    }

    /// <summary>Letters [a, b) of the text, units [start, end), against the names the index proposes for them.</summary>
    // Optimised at its first call, not in tiers: see Screener.Run.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Probe(CompiledSet set, int start, int end, int windowWords, int a, int b, ulong mask, bool drawnPair)
    {
        _found.Clear();
        set.Fuzzy.Find(windowWords, _prefix, a, b, mask, _found);
        var letters = _letters.AsSpan(a, b - a);
        Consider(set, start, end, windowWords, letters, a, default);
        if (!drawnPair)
        {
            return;
        }

        foreach (var (drawn, letter) in DrawnLetters)
        {
            if (letters.IndexOf(drawn, StringComparison.Ordinal) >= 0)
            {
                ProbeRedrawn(set, start, end, windowWords, letters, drawn, letter);
            }
        }
    }

    /// <summary>Reads drawn letters as the letter they imitate ("rn" as "m") and searches again.</summary>
    private void ProbeRedrawn(CompiledSet set, int start, int end, int windowWords, ReadOnlySpan<char> letters, string drawn, char letter)
    {
        var written = 0;
        for (var k = 0; k < letters.Length; k++)
        {
            if (k + 1 < letters.Length && letters[k] == drawn[0] && letters[k + 1] == drawn[1])
            {
                _redrawn[written++] = letter;
                k++;
            }
            else
            {
                _redrawn[written++] = letters[k];
            }
        }

        Span<ulong> prefix = stackalloc ulong[written + 1];
        FuzzyIndex.Prefixes(_redrawn.AsSpan(0, written), prefix);
        _found.Clear();
        var redrawn = _redrawn.AsSpan(0, written);
        set.Fuzzy.Find(windowWords, prefix, 0, written, FuzzyIndex.LetterMask(redrawn), _found);
        Consider(set, start, end, windowWords, redrawn, letterOffset: -1, letters);
    }

    /// <summary>
    /// Measures the distance to each proposed name; <paramref name="letterOffset"/> is -1 when drawn letters were
    /// redrawn, and <paramref name="written"/> the letters as written then.
    /// </summary>
    private void Consider(CompiledSet set, int start, int end, int windowWords, ReadOnlySpan<char> letters, int letterOffset, ReadOnlySpan<char> written)
    {
        var redrawn = letterOffset < 0;
        if (_found.Count == 0)
        {
            return;
        }

        var found = CollectionsMarshal.AsSpan(_found);
        found.Sort();
        var index = set.Fuzzy;
        for (var f = 0; f < found.Length; f++)
        {
            if (f > 0 && found[f] == found[f - 1])
            {
                continue;
            }

            var name = index.Names[found[f]];
            if (Math.Abs(letters.Length - name.Letters) > name.Budget || windowWords > name.Words + 1
                || _lexicon.IsMasked(set, name.Mark) || _candidates.Count >= MaxHits)
            {
                continue;
            }

            // A window of one word more than the name is a split name ("pom mesfreunde" for Pommesfreunde, cut
            // at a double letter where the automaton cannot see it), never a split and a typo at once; nor are a
            // name's words run together and mistyped at once ("brightstor" for Bright Store).
            var markLetters = index.LettersOf(name);
            if (redrawn && !ShowsEnds(written, markLetters, name.Budget))
            {
                continue;
            }

            // Two edits are a letter out of each side (one added, another left out, or one changed), not two
            // letters changed in place: "lg electronics" is not "RD Electronics".
            var distance = EditDistance.Measure(letters, markLetters, name.Budget, _matrix);
            var split = windowWords > name.Words;
            if (distance > name.Budget || (distance > 1 && !EditDistance.IsOneDeletionEach(letters, markLetters)) || (distance > 0 && (split || windowWords < name.Words)) || (distance == 0 && !redrawn && !split)
                || Covered(set, name.Mark, start, end))
            {
                continue;
            }

            var candidate = new Candidate
            {
                Set = set,
                Kind = PatternKind.Mark,
                Hit = HitKind.Lookalike,
                Owner = name.Mark,
                Name = name.Name,
                First = start,
                Last = end,
                Pattern = -1,
                Signs = (redrawn ? LookalikeSigns.LookalikeLetters : LookalikeSigns.None) | (split ? LookalikeSigns.Split : LookalikeSigns.None),
            };
            if (distance > 0)
            {
                Explain(letters, markLetters, letterOffset, ref candidate);
                if (name.Letters < MinSubstitutionLetters && (candidate.Signs & (LookalikeSigns.Edits | LookalikeSigns.LookalikeLetters)) == LookalikeSigns.Substitution)
                {
                    continue;
                }

                // An arbitrary edit that spells a word of another language reads as that word: "Tiempo" is not Tempo.
                if (windowWords == 1 && !redrawn && IsArbitrary(candidate.Signs) && _lexicon.Words.IsOtherLanguageFolded(_folded.AsSpan(letterOffset, letters.Length)))
                {
                    continue;
                }
            }

            candidate.Distance = Math.Max(1, distance + (redrawn ? 1 : 0));
            candidate.Score = Reasons.Score(candidate.Signs, candidate.Distance, distance, name.Letters);
            _candidates.Add(candidate);
        }
    }

    /// <summary>
    /// Letters drawn like another are one trick: the window as written must still show the name's first or last
    /// letters (two, three from seven letters on) at about its length, or the redrawn letters and an edit on top
    /// are chance ("srna18" is not "Small").
    /// </summary>
    private static bool ShowsEnds(ReadOnlySpan<char> written, ReadOnlySpan<char> name, int budget)
    {
        var ends = name.Length >= 7 ? 3 : 2;
        return Math.Abs(written.Length - name.Length) <= budget && written.Length >= ends
            && (written.StartsWith(name[..ends]) || written.EndsWith(name[^ends..]));
    }

    /// <summary>True when a hit of the same mark overlaps the window, or another mark matched exactly this window.</summary>
    private bool Covered(CompiledSet set, int mark, int start, int end)
    {
        foreach (var candidate in CollectionsMarshal.AsSpan(_candidates))
        {
            var overlaps = candidate.First < end && start < candidate.Last;
            if ((overlaps && candidate.Set == set && candidate.Owner == mark && candidate.Kind == PatternKind.Mark)
                || (candidate.First == start && candidate.Last == end && candidate.Kind == PatternKind.Mark && candidate.Pattern >= 0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Walks the distance matrix back and names each edit: neighbouring key, swapped letters, vowel, added, left out.</summary>
    private void Explain(ReadOnlySpan<char> a, ReadOnlySpan<char> markVisual, int letterOffset, ref Candidate candidate)
    {
        var redrawn = letterOffset < 0;
        var width = markVisual.Length + 1;
        var d = _matrix;
        var i = a.Length;
        var j = markVisual.Length;
        while (i > 0 || j > 0)
        {
            var here = d[(i * width) + j];
            if (i > 0 && j > 0 && markVisual[j - 1] == a[i - 1] && here == d[((i - 1) * width) + j - 1])
            {
                i--;
                j--;
                continue;
            }

            // Letters map back to units only when no drawn letters were redrawn.
            var unit = redrawn ? -1 : UnitOfLetter(letterOffset + Math.Max(0, i - 1));
            if (i > 1 && j > 1 && here == d[((i - 2) * width) + j - 2] + 1
                && a[i - 1] == markVisual[j - 2] && a[i - 2] == markVisual[j - 1])
            {
                candidate.Signs |= LookalikeSigns.Transposition;
                Detail(ref candidate, DetailShape.Swapped, redrawn ? -1 : UnitOfLetter(letterOffset + i - 2), markVisual[j - 2], markVisual[j - 1]);
                i -= 2;
                j -= 2;
            }
            else if (i > 0 && j > 0 && here == d[((i - 1) * width) + j - 1] + 1)
            {
                var meant = markVisual[j - 1];
                // A digit kept as a digit ("8H" for BH), or l for i where case did not tell, is still drawn like the letter.
                candidate.Signs |= Confusables.IsLeetFor(a[i - 1], meant) ? LookalikeSigns.Leet
                    : Confusables.MergeLatinClass(a[i - 1]) == Confusables.MergeLatinClass(meant) ? LookalikeSigns.Homoglyph
                    : Confusables.AreKeyboardNeighbours(a[i - 1], meant) ? LookalikeSigns.Keyboard
                    : Confusables.IsVowel(a[i - 1]) && Confusables.IsVowel(meant) ? LookalikeSigns.VowelSwap
                    : LookalikeSigns.Substitution;
                Detail(ref candidate, DetailShape.For, unit, meant, '\0');
                i--;
                j--;
            }
            else if (i > 0 && here == d[((i - 1) * width) + j] + 1)
            {
                candidate.Signs |= LookalikeSigns.Addition;
                Detail(ref candidate, DetailShape.Added, unit, '\0', '\0');
                i--;
            }
            else
            {
                candidate.Signs |= LookalikeSigns.Omission;
                Detail(ref candidate, DetailShape.Missing, -1, markVisual[j - 1], '\0');
                j--;
            }
        }
    }

    /// <summary>The unit letter <paramref name="letter"/> of <see cref="_letters"/> was written from: a unit repeated n times wrote n letters, any other one.</summary>
    private int UnitOfLetter(int letter)
    {
        foreach (ref readonly var word in CollectionsMarshal.AsSpan(_words))
        {
            if (letter >= word.LetterEnd)
            {
                continue;
            }

            var written = word.LetterStart;
            for (var k = word.First; ; k++)
            {
                written += Math.Max(1, (int)_stream.Run[k]);
                if (letter < written)
                {
                    return k;
                }
            }
        }

        throw new ArgumentOutOfRangeException(nameof(letter), letter, "Past the text's letters.");
    }

    private static void Detail(ref Candidate candidate, DetailShape shape, int unit, char mark, char mark2)
    {
        if (candidate.Detail != DetailShape.None || (unit < 0 && shape != DetailShape.Missing))
        {
            return;
        }

        candidate.Detail = shape;
        candidate.DetailUnit = unit;
        candidate.DetailMark = mark;
        candidate.DetailMark2 = mark2;
    }
}
