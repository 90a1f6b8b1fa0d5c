using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Tracemark.Ledger.Storage;

/// <summary>
/// The files of a log folder (docs/ledger.md, "Storage"):
/// <list type="bullet">
/// <item><c>journal</c>: a 16-byte header, then one record per leaf: length (uint32, big-endian) ‖ leaf ‖ the
/// first 8 bytes of its leaf hash. The only file made durable before an append is acknowledged, and the truth
/// the others are rebuilt from.</item>
/// <item><c>nodes</c>: the 32-byte hash of every perfect subtree, in the post-order in which appends complete
/// them, so the file only ever grows at its end and any node's place is computed, never looked up.</item>
/// <item><c>index</c>: the journal offset of each leaf (uint64, big-endian).</item>
/// <item><c>checkpoint</c>: a leaf count and journal length up to which <c>nodes</c> and <c>index</c> are known to
/// be on disk; after a crash, only the journal past it is read again.</item>
/// </list>
/// </summary>
internal static class LogFormat
{
    public const string JournalFile = "journal";
    public const string NodesFile = "nodes";
    public const string IndexFile = "index";
    public const string CheckpointFile = "checkpoint";

    public const int JournalHeaderSize = 16;
    public const int RecordOverhead = 4 + CheckSize;
    public const int CheckSize = 8;
    public const int IndexEntrySize = 8;
    public const int CheckpointSize = 8 + 8 + 8 + 32;
    public const int Version = 1;

    private static ReadOnlySpan<byte> JournalMagic => "TMLEDGER"u8;

    private static ReadOnlySpan<byte> CheckpointMagic => "TMCHECK1"u8;

    public static void WriteJournalHeader(Span<byte> destination)
    {
        destination[..JournalHeaderSize].Clear();
        JournalMagic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Version);
    }

    public static bool IsJournalHeader(ReadOnlySpan<byte> header) =>
        header.Length >= JournalHeaderSize
        && header[..8].SequenceEqual(JournalMagic)
        && BinaryPrimitives.ReadUInt32BigEndian(header[8..]) == Version;

    /// <summary>Place of the perfect subtree (level, index) in post-order: the nodes of every subtree to its left, then its own descendants.</summary>
    public static ulong NodePosition(int level, ulong index)
    {
        var before = index << level;
        return NodeCount(before) + (2UL << level) - 2;
    }

    /// <summary>How many perfect subtrees a tree of <paramref name="size"/> leaves has: 2n − popcount(n).</summary>
    public static ulong NodeCount(ulong size) => (2 * size) - (ulong)BitOperations.PopCount(size);

    public static byte[] EncodeCheckpoint(ulong leafCount, long journalLength)
    {
        var bytes = new byte[CheckpointSize];
        CheckpointMagic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), leafCount);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(16), journalLength);
        SHA256.HashData(bytes.AsSpan(0, 24), bytes.AsSpan(24));
        return bytes;
    }

    public static (ulong LeafCount, long JournalLength) DecodeCheckpoint(ReadOnlySpan<byte> bytes, string path)
    {
        Span<byte> check = stackalloc byte[32];
        if (bytes.Length != CheckpointSize || !bytes[..8].SequenceEqual(CheckpointMagic))
        {
            throw new LedgerDamagedException($"{path} is not a ledger checkpoint");
        }

        SHA256.HashData(bytes[..24], check);
        if (!check.SequenceEqual(bytes[24..]))
        {
            throw new LedgerDamagedException($"{path} is corrupt (its checksum does not match)");
        }

        return (BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), BinaryPrimitives.ReadInt64BigEndian(bytes[16..]));
    }
}
