using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tracemark.Matching;

/// <summary>
/// A read-only set of folded words with one byte of value each, for the look-ups screening makes per word of
/// text: open addressing over one array of slots (hash, where the word's letters are, value), the letters in one
/// pool. A look-up that misses reads one slot, where a dictionary of strings reads a bucket, an entry and a string.
/// </summary>
internal sealed class FoldedWords
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public ulong Hash;
        public int Offset;
        public ushort Length;
        public byte Value;
        public bool Used;
    }

    private readonly Slot[] _slots;
    private readonly char[] _pool;
    private readonly int _shift;

    public FoldedWords(IReadOnlyCollection<KeyValuePair<string, byte>> words)
    {
        var bits = Math.Max(4, BitOperations.Log2((uint)Math.Max(1, words.Count)) + 2);
        _shift = 64 - bits;
        _slots = new Slot[1 << bits];
        var pool = new List<char>();
        foreach (var (word, value) in words)
        {
            if (word.Length == 0 || word.Length > ushort.MaxValue)
            {
                continue;
            }

            var hash = Hash(word);
            var slot = (int)(hash >> _shift);
            while (_slots[slot].Used)
            {
                slot = (slot + 1) & (_slots.Length - 1);
            }

            _slots[slot] = new Slot { Hash = hash, Offset = pool.Count, Length = (ushort)word.Length, Value = value, Used = true };
            pool.AddRange(word);
        }

        _pool = [.. pool];
    }

    public static ulong Hash(ReadOnlySpan<char> folded)
    {
        var hash = HashStart;
        foreach (var c in folded)
        {
            hash = HashStep(hash, c);
        }

        return HashEnd(hash);
    }

    /// <summary><see cref="Hash"/> a letter at a time, for a caller that writes the letters out anyway: start, a step per letter, end.</summary>
    public const ulong HashStart = 0xCBF29CE484222325UL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashStep(ulong hash, char c) => (hash ^ c) * 0x100000001B3UL;

    public static ulong HashEnd(ulong hash)
    {
        // The slot is taken from the high bits: fold the low bits, where the last letters weigh most, into them.
        hash ^= hash << 29;
        return hash * 0x9E3779B97F4A7C15UL;
    }

    /// <summary>The value of <paramref name="folded"/>, whose <see cref="Hash"/> is <paramref name="hash"/>, if it is in the set.</summary>
    public bool TryGet(ReadOnlySpan<char> folded, ulong hash, out byte value)
    {
        var mask = _slots.Length - 1;
        for (var slot = (int)(hash >> _shift); _slots[slot].Used; slot = (slot + 1) & mask)
        {
            ref readonly var s = ref _slots[slot];
            if (s.Hash == hash && s.Length == folded.Length && folded.SequenceEqual(_pool.AsSpan(s.Offset, s.Length)))
            {
                value = s.Value;
                return true;
            }
        }

        value = 0;
        return false;
    }

    public bool Contains(ReadOnlySpan<char> folded, ulong hash) => TryGet(folded, hash, out _);
}
