using System.Buffers.Binary;
using System.Text;

namespace Tracemark.Server.Rights.Import;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (the tuples only: <see cref="Header"/> and <see cref="Trailer"/>
/// go around them), written into memory by the thread that reads the file. An import sends a chunk this way
/// in one piece, so the connection's thread does not spend the database's waiting time turning fields into
/// bytes one by one.
/// </summary>
internal sealed class CopyBuffer
{
    /// <summary>PGCOPY signature, no flags, no header extension.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    public static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    private const int TextOid = 25;

    private const int SmallIntOid = 21;

    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    /// <summary>Text the database could not store (a lone surrogate from a JSON escape) fails here as it did in the driver, rather than turning into U+FFFD.</summary>
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private byte[] _bytes;

    private int _length;

    public CopyBuffer(int capacity) => _bytes = new byte[capacity];

    public int Rows { get; private set; }

    public ReadOnlyMemory<byte> Tuples => _bytes.AsMemory(0, _length);

    public void StartRow(short fields)
    {
        BinaryPrimitives.WriteInt16BigEndian(Take(2), fields);
        Rows++;
    }

    public void Null() => BinaryPrimitives.WriteInt32BigEndian(Take(4), -1);

    public void Integer(int value)
    {
        var span = Take(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], value);
    }

    public void Uuid(Guid value)
    {
        var span = Take(20);
        BinaryPrimitives.WriteInt32BigEndian(span, 16);
        value.TryWriteBytes(span[4..], bigEndian: true, out _);
    }

    public void Boolean(bool value)
    {
        var span = Take(5);
        BinaryPrimitives.WriteInt32BigEndian(span, 1);
        span[4] = value ? (byte)1 : (byte)0;
    }

    public void Text(string? value)
    {
        if (value is null)
        {
            Null();
            return;
        }

        var span = Take(4 + Utf8.GetMaxByteCount(value.Length));
        var written = Utf8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, written);
        _length -= span.Length - 4 - written;
    }

    public void Date(DateOnly? value)
    {
        if (value is not { } date)
        {
            Null();
            return;
        }

        var span = Take(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], date.DayNumber - PostgresEpochDay);
    }

    /// <summary>A one-dimensional text[] without nulls (an empty list is the empty array).</summary>
    public void TextArray(IReadOnlyList<string> values)
    {
        var start = StartArray(values.Count, TextOid);
        foreach (var value in values)
        {
            Text(value);
        }

        EndArray(start);
    }

    /// <summary>A one-dimensional smallint[] without nulls.</summary>
    public void SmallIntArray(IReadOnlyList<int> values)
    {
        var start = StartArray(values.Count, SmallIntOid);
        foreach (var value in values)
        {
            var span = Take(6);
            BinaryPrimitives.WriteInt32BigEndian(span, 2);
            BinaryPrimitives.WriteInt16BigEndian(span[4..], checked((short)value));
        }

        EndArray(start);
    }

    /// <summary>Writes the array's header after room for its length; returns where the length goes.</summary>
    private int StartArray(int count, int elementOid)
    {
        var start = _length;
        var span = Take(count == 0 ? 16 : 24);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], count == 0 ? 0 : 1);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], elementOid);
        if (count > 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(span[16..], count);
            BinaryPrimitives.WriteInt32BigEndian(span[20..], 1);
        }

        return start;
    }

    private void EndArray(int start) => BinaryPrimitives.WriteInt32BigEndian(_bytes.AsSpan(start), _length - start - 4);

    private Span<byte> Take(int count)
    {
        if (_length + count > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + count));
        }

        var span = _bytes.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
