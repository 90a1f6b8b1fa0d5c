using System.Runtime.InteropServices;
using Tracemark.Matching.Compilation;
using Tracemark.Matching.Normalisation;

namespace Tracemark.Matching.Screening;

/// <summary>Lookalikes by bounded Damerau–Levenshtein distance, searched over windows of whole words.</summary>
internal sealed partial class Screener
{
    private const int MaxWindowWords = 6;
    private const int MatrixSide = FuzzyIndex.MaxKeyLength + 4;

    private readonly List<Word> _words = [];
    private readonly List<int> _found = [];
    private readonly ulong[] _prefix = new ulong[MatrixSide];
    private readonly char[] _alternative = new char[MatrixSide];
    private readonly int[] _matrix = new int[MatrixSide * MatrixSide];

    /// <summary>A word of the text between hard or soft boundaries.</summary>
    private struct Word
    {
        public int First;
        public int Last;

        /// <summary>Only letters of spaced scripts: digits and Chinese are not searched by edit distance.</summary>
        public bool Searchable;

        /// <summary>1 when an ordinary word or a word of a mark, 0 when not, -1 before it is looked up.</summary>
        public sbyte Known;
    }

    private void FindEditLookalikes()
    {
        var s = _stream;
        for (var first = 0; first < s.Length;)
        {
            var last = s.WordEnd(first);
            var searchable = true;
            for (var k = first; k < last && searchable; k++)
            {
                searchable = (s.Flags[k] & (UnitFlags.Digit | UnitFlags.Unsegmented)) == UnitFlags.None;
            }

            _words.Add(new Word { First = first, Last = last, Searchable = searchable, Known = -1 });
            first = last;
        }

        foreach (var set in _lexicon.Sets)
        {
            if (!set.Fuzzy.IsEmpty)
            {
                SearchWindows(set);
            }
        }
    }

    private void SearchWindows(CompiledSet set)
    {
        var index = set.Fuzzy;
        var maxLength = Math.Min(FuzzyIndex.MaxKeyLength, index.MaxNameKeyLength + 2);
        var minLength = Math.Max(2, index.MinKeyLength - 2);
        var maxWords = Math.Min(MaxWindowWords, index.MaxWords + 1);
        var words = CollectionsMarshal.AsSpan(_words);
        for (var w0 = 0; w0 < words.Length; w0++)
        {
            if (!words[w0].Searchable)
            {
                continue;
            }

            var start = words[w0].First;
            var allKnown = true;
            _prefix[0] = 0;
            for (var w = w0; w < words.Length && w < w0 + maxWords && words[w].Searchable; w++)
            {
                var end = words[w].Last;
                var length = end - start;
                if (length > maxLength)
                {
                    break;
                }

                for (var k = words[w].First; k < end; k++)
                {
                    _prefix[k - start + 1] = (_prefix[k - start] * 0x9E3779B97F4A7C15UL) + _stream.Key[k] + 1UL;
                }

                // A window of ordinary words is ordinary text, however close it is to a mark ("nice" and "Nike").
                allKnown &= IsKnownWord(ref words[w]);
                if (allKnown || length < minLength)
                {
                    continue;
                }

                Probe(set, start, end, w - w0 + 1);
            }
        }
    }

    private bool IsKnownWord(ref Word word)
    {
        if (word.Known < 0)
        {
            var length = _stream.FoldLength(word.First, word.Last);
            word.Known = (sbyte)(length <= _fold.Length && IsKnown(_fold.AsSpan(0, _stream.CopyFold(word.First, word.Last, _fold))) ? 1 : 0);
        }

        return word.Known == 1;
    }

    private void Probe(CompiledSet set, int start, int end, int windowWords)
    {
        var index = set.Fuzzy;
        var length = end - start;
        var keys = _stream.Key.AsSpan(start, length);
        _found.Clear();
        index.Find(FuzzyIndex.Whole(_prefix, length), _found);
        for (var k = 0; k < length; k++)
        {
            index.Find(FuzzyIndex.Deleted(_prefix, length, k), _found);
        }

        Consider(set, start, end, windowWords, keys, LookalikeSigns.None);

        // "rn" drawn for "m" ("rnicrosoft") is two edits for the distance but one trick for the eye.
        var rn = keys.IndexOf("rn");
        if (rn >= 0)
        {
            var alternative = _alternative.AsSpan();
            var written = 0;
            for (var k = 0; k < keys.Length; k++)
            {
                if (keys[k] == 'r' && k + 1 < keys.Length && keys[k + 1] == 'n')
                {
                    alternative[written++] = 'm';
                    k++;
                }
                else
                {
                    alternative[written++] = keys[k];
                }
            }

            Span<ulong> prefix = stackalloc ulong[written + 1];
            FuzzyIndex.Prefixes(alternative[..written], prefix);
            _found.Clear();
            index.Find(FuzzyIndex.Whole(prefix, written), _found);
            for (var k = 0; k < written; k++)
            {
                index.Find(FuzzyIndex.Deleted(prefix, written, k), _found);
            }

            Consider(set, start, end, windowWords, alternative[..written], LookalikeSigns.LookalikeLetters);
        }
    }

    private void Consider(CompiledSet set, int start, int end, int windowWords, ReadOnlySpan<char> keys, LookalikeSigns extra)
    {
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
            if (Math.Abs(keys.Length - name.KeyLength) > name.Budget || windowWords > name.Words + 1
                || _lexicon.IsMasked(set, name.Mark) || _candidates.Count >= MaxHits)
            {
                continue;
            }

            var markKey = index.Key(name);
            var distance = Distance(keys, markKey, name.Budget);
            var lookalikeLetters = extra != LookalikeSigns.None;
            if (distance > name.Budget || (distance == 0 && !lookalikeLetters) || Covered(set, name.Mark, start, end))
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
                Signs = extra,
            };
            if (distance > 0)
            {
                Explain(keys, index.Visual.AsSpan(name.KeyOffset, name.KeyLength), start, ref candidate, lookalikeLetters);
            }

            candidate.Distance = distance + (lookalikeLetters ? 1 : 0);
            candidate.Score = Reasons.Score(candidate.Signs, candidate.Distance, distance, name.Letters);
            _candidates.Add(candidate);
        }
    }

    /// <summary>True when a hit of the same mark overlaps the window, or any mark's hit covers exactly this window.</summary>
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

    /// <summary>Optimal-string-alignment distance (Damerau–Levenshtein with adjacent transpositions), or budget + 1 when above it.</summary>
    private int Distance(ReadOnlySpan<char> a, ReadOnlySpan<char> b, int budget)
    {
        var width = b.Length + 1;
        var d = _matrix;
        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var row = i * width;
            d[row] = i;
            var best = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(d[row - width + j] + 1, d[row + j - 1] + 1), d[row - width + j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[row - (2 * width) + j - 2] + 1);
                }

                d[row + j] = value;
                best = Math.Min(best, value);
            }

            if (best > budget)
            {
                return budget + 1;
            }
        }

        return d[(a.Length * width) + b.Length];
    }

    /// <summary>Walks the distance matrix back and names each edit: neighbouring key, swapped letters, vowel, added, left out.</summary>
    private void Explain(ReadOnlySpan<char> a, ReadOnlySpan<char> markVisual, int start, ref Candidate candidate, bool alternative)
    {
        var width = markVisual.Length + 1;
        var d = _matrix;
        var i = a.Length;
        var j = markVisual.Length;
        while (i > 0 || j > 0)
        {
            var here = d[(i * width) + j];
            if (i > 0 && j > 0 && Confusables.MergeLatinClass(markVisual[j - 1]) == a[i - 1] && here == d[((i - 1) * width) + j - 1])
            {
                i--;
                j--;
                continue;
            }

            // Positions in the text map to units only when no "rn" was read as "m".
            var unit = alternative ? -1 : start + i - 1;
            if (i > 1 && j > 1 && here == d[((i - 2) * width) + j - 2] + 1
                && a[i - 1] == Confusables.MergeLatinClass(markVisual[j - 2]) && a[i - 2] == Confusables.MergeLatinClass(markVisual[j - 1]))
            {
                candidate.Signs |= LookalikeSigns.Transposition;
                Detail(ref candidate, DetailShape.Swapped, unit - 1, markVisual[j - 2], markVisual[j - 1]);
                i -= 2;
                j -= 2;
            }
            else if (i > 0 && j > 0 && here == d[((i - 1) * width) + j - 1] + 1)
            {
                var typed = _stream.Visual[Math.Max(0, unit)];
                var meant = markVisual[j - 1];
                candidate.Signs |= unit >= 0 && _stream.Run[unit] > 1 && typed == 'v' && meant == 'w' ? LookalikeSigns.LookalikeLetters
                    : Confusables.AreKeyboardNeighbours(a[i - 1], Confusables.MergeLatinClass(meant)) ? LookalikeSigns.Keyboard
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
