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

        /// <summary>Longer words are always looked up: they are rare, and their letters would make every entry bigger.</summary>
        private const int MaxLength = 15;

        private readonly ulong[] _hashes = new ulong[1 << Bits];
        private readonly byte[] _lengths = new byte[1 << Bits];
        private readonly Knowledge[] _values = new Knowledge[1 << Bits];
        private readonly char[] _letters = new char[(1 << Bits) * MaxLength];
        private long _lexicon;

        /// <summary>Forgets every word when the lexicon is another than last time.</summary>
        public void UseFor(long lexicon)
        {
            if (lexicon != _lexicon)
            {
                Array.Clear(_lengths);
                _lexicon = lexicon;
            }
        }

        public bool TryGet(ReadOnlySpan<char> folded, ulong hash, out Knowledge value)
        {
            var slot = Slot(hash);
            if (!folded.IsEmpty && _lengths[slot] == folded.Length && _hashes[slot] == hash
                && folded.SequenceEqual(_letters.AsSpan(slot * MaxLength, folded.Length)))
            {
                value = _values[slot];
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

            var slot = Slot(hash);
            _hashes[slot] = hash;
            _lengths[slot] = (byte)folded.Length;
            _values[slot] = value;
            folded.CopyTo(_letters.AsSpan(slot * MaxLength, MaxLength));
        }

        private static int Slot(ulong hash) => (int)(hash >> (64 - Bits));
    }
}
