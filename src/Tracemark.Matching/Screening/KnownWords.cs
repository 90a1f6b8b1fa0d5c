using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tracemark.Matching.Screening;

internal sealed partial class Screener
{
    /// <summary>
    /// What the words a thread screened lately turned out to be, by folded word: a catalogue repeats its everyday
    /// words ("black", "usb", "2pcs") title after title, and the word list and the marks' words are tables of
    /// megabytes, where a look-up misses the processor's cache. A small direct-mapped table, keyed by the word's
    /// hash and checked against its letters, answers most of them from the cache. Kept for one lexicon at a time.
    /// </summary>
    private sealed class KnownWords
    {
        private const int Bits = 13;

        /// <summary>Longer words are always looked up: they are rare, and an entry holds its letters in one cache line.</summary>
        private const int MaxLength = 27;

        // One entry of 64 bytes per slot, so that a look-up reads one cache line: with the hash, the length, the
        // value and the letters in four arrays it read four.
        private readonly Entry[] _entries = new Entry[1 << Bits];
        private long _lexicon;

        /// <summary>Forgets every word when the lexicon is another than last time.</summary>
        public void UseFor(long lexicon)
        {
            if (lexicon != _lexicon)
            {
                Array.Clear(_entries);
                _lexicon = lexicon;
            }
        }

        public bool TryGet(ReadOnlySpan<char> folded, ulong hash, out Knowledge value)
        {
            ref readonly var entry = ref _entries[Slot(hash)];
            if (!folded.IsEmpty && entry.Length == folded.Length && entry.Hash == hash
                && folded.SequenceEqual(((ReadOnlySpan<char>)entry.Letters)[..folded.Length]))
            {
                value = entry.Value;
                return true;
            }

            value = Knowledge.NotLookedUp;
            return false;
        }

        public void Set(ReadOnlySpan<char> folded, ulong hash, Knowledge value)
        {
            if (folded.IsEmpty || folded.Length > MaxLength)
            {
                return;
            }

            ref var entry = ref _entries[Slot(hash)];
            entry.Hash = hash;
            entry.Length = (byte)folded.Length;
            entry.Value = value;
            folded.CopyTo(entry.Letters);
        }

        private static int Slot(ulong hash) => (int)(hash >> (64 - Bits));

        [StructLayout(LayoutKind.Sequential, Size = 64)]
        private struct Entry
        {
            public ulong Hash;
            public byte Length;
            public Knowledge Value;
            public LetterBuffer Letters;
        }

        [InlineArray(MaxLength)]
        private struct LetterBuffer
        {
            private char _first;
        }
    }
}
