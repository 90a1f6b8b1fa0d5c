using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tracemark.Matching.Screening;

internal sealed partial class Screener
{
    /// <summary>
    /// Windows of letters a thread searched lately for which the index proposed no name at all, with or without
    /// drawn letters redrawn: what the index proposes depends on nothing but the window's letters, its word count
    /// and the compiled set, so the same window in the next title ("usb cable", "black") proposes nothing again
    /// and is not looked up. Nearly every window proposes nothing; the few that propose a name are measured
    /// every time, because what follows (overlaps, masks, the hit cap) depends on the title. A small
    /// direct-mapped table keyed by the window's hash and checked against its letters, kept for one lexicon at a
    /// time like <see cref="KnownWords"/>.
    /// </summary>
    private sealed class QuietWindows
    {
        /// <summary>2^14 entries of 64 bytes (1 MiB).</summary>
        internal const int DefaultBits = 14;

        /// <summary>Longer windows are always searched: an entry holds its letters in one cache line.</summary>
        internal const int MaxLength = 26;

        private readonly Entry[] _entries;
        private readonly int _shift;
        private long _lexicon;

        /// <param name="bits">The table holds 2^bits windows; none at all when 0 (what tests compare against).</param>
        public QuietWindows(int bits)
        {
            _entries = bits == 0 ? [] : new Entry[1 << bits];
            _shift = 64 - bits;
        }

        /// <summary>Forgets every window when the lexicon is another than last time.</summary>
        public void UseFor(long lexicon)
        {
            if (lexicon != _lexicon)
            {
                Array.Clear(_entries);
                _lexicon = lexicon;
            }
        }

        /// <summary>The key a window is kept under: its letters' polynomial hash mixed with its word count and set.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Hash(ulong letters, int words, int set, int length)
        {
            var z = (letters + ((ulong)(uint)((words << 16) | (set << 8) | length) * 0xBF58476D1CE4E5B9UL)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public bool Contains(ReadOnlySpan<char> letters, int words, int set, ulong hash)
        {
            if (_entries.Length == 0)
            {
                return false;
            }

            ref readonly var entry = ref _entries[Slot(hash)];
            return entry.Hash == hash && entry.Length == letters.Length && entry.Words == words && entry.Set == set
                && letters.SequenceEqual(((ReadOnlySpan<char>)entry.Letters)[..letters.Length]);
        }

        public void Add(ReadOnlySpan<char> letters, int words, int set, ulong hash)
        {
            if (_entries.Length == 0 || letters.IsEmpty || letters.Length > MaxLength || words > byte.MaxValue || set > byte.MaxValue)
            {
                return;
            }

            ref var entry = ref _entries[Slot(hash)];
            entry.Hash = hash;
            entry.Length = (byte)letters.Length;
            entry.Words = (byte)words;
            entry.Set = (byte)set;
            letters.CopyTo(entry.Letters);
        }

        private int Slot(ulong hash) => (int)(hash >> _shift);

        [StructLayout(LayoutKind.Sequential, Size = 64)]
        private struct Entry
        {
            public ulong Hash;
            public byte Length;
            public byte Words;
            public byte Set;
            public LetterBuffer Letters;
        }

        [InlineArray(MaxLength)]
        private struct LetterBuffer
        {
            private char _first;
        }
    }
}
