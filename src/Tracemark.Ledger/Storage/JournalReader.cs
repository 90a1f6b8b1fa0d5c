using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Tracemark.Ledger.Storage;

/// <summary>
/// Reads journal records front to back in large blocks, checking each one's length and checksum; stops at the
/// first record that is cut short or does not check, which after a crash is where the unacknowledged tail begins.
/// </summary>
internal sealed class JournalReader
{
    private readonly SafeFileHandle _journal;
    private readonly long _end;
    private readonly byte[] _buffer = new byte[2 * LedgerLog.MaxLeafBytes];
    private readonly byte[] _leafHash = new byte[Merkle.HashSize];
    private long _bufferOffset;
    private int _start;
    private int _filled;

    public JournalReader(SafeFileHandle journal, long start, long end)
    {
        _journal = journal;
        _bufferOffset = start;
        _end = end;
    }

    /// <summary>Journal offset of the next record: after the last good one once <see cref="TryRead"/> returns false.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Why reading stopped before the end, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The next record's leaf and leaf hash, valid until the next call.</summary>
    public bool TryRead(out ReadOnlySpan<byte> leaf, out ReadOnlySpan<byte> leafHash)
    {
        leaf = default;
        leafHash = default;
        if (!Ensure(4))
        {
            Problem = Position == _end ? null : "a record's length is cut short";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
        if (length == 0 || length > LedgerLog.MaxLeafBytes)
        {
            Problem = "a record's length is out of range";
            return false;
        }

        var recordSize = LogFormat.RecordOverhead + (int)length;
        if (!Ensure(recordSize))
        {
            Problem = "a record is cut short";
            return false;
        }

        var record = _buffer.AsSpan(_start, recordSize);
        Merkle.HashLeaf(record.Slice(4, (int)length), _leafHash);
        if (!record[^LogFormat.CheckSize..].SequenceEqual(_leafHash.AsSpan(0, LogFormat.CheckSize)))
        {
            Problem = "a record's checksum does not match its leaf";
            return false;
        }

        leaf = record.Slice(4, (int)length);
        leafHash = _leafHash;
        _start += recordSize;
        return true;
    }

    private bool Ensure(int count)
    {
        if (_filled - _start >= count)
        {
            return true;
        }

        // Keep the unread bytes, move them to the front, and read behind them.
        var unread = _filled - _start;
        _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        _bufferOffset += _start;
        _start = 0;
        _filled = unread;
        while (_filled < count && _bufferOffset + _filled < _end)
        {
            var wanted = (int)Math.Min(_buffer.Length - _filled, _end - _bufferOffset - _filled);
            var read = RandomAccess.Read(_journal, _buffer.AsSpan(_filled, wanted), _bufferOffset + _filled);
            if (read == 0)
            {
                break;
            }

            _filled += read;
        }

        return _filled >= count;
    }
}
