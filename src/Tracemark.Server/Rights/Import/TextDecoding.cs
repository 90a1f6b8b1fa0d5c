using System.Text;
using Tracemark.Core.Errors;

namespace Tracemark.Server.Rights.Import;

/// <summary>How an uploaded file's bytes become text: the encoding found, and whether it was converted to UTF-8.</summary>
public sealed record DetectedEncoding(Encoding Encoding, string Name, bool Converted);

/// <summary>
/// Decides a text file's encoding from its first bytes. UTF-8 is tried strictly first (a BOM is fine);
/// when the bytes are not UTF-8, GB18030 (which contains GBK and GB2312, what Chinese Excel saves by
/// default) is tried strictly; anything else is refused with a message saying what to do. Binary files
/// (spreadsheets, pictures, archives) are recognised and refused by name.
/// </summary>
public static class TextDecoding
{
    /// <summary>How much of the file decides: large enough to hold many lines of Chinese text.</summary>
    public const int SampleSize = 64 * 1024;

    private static readonly byte[] OleSignature = [0xD0, 0xCF, 0x11, 0xE0];
    private static readonly byte[] Utf16Little = [0xFF, 0xFE];
    private static readonly byte[] Utf16Big = [0xFE, 0xFF];

    static TextDecoding()
    {
        // GB18030 comes with .NET (System.Text.Encoding.CodePages) but must be switched on before first use.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Gb18030 = Encoding.GetEncoding("GB18030");
    }

    /// <summary>GB18030 decoding with replacement characters, which the readers flag line by line.</summary>
    public static Encoding Gb18030 { get; }

    /// <summary>
    /// The encoding of a file that starts with <paramref name="sample"/> (<paramref name="complete"/>: the
    /// whole file). <paramref name="declared"/> is a charset the client named (Content-Type), if any.
    /// Throws <see cref="InputValidationException"/> on the "file" field for what cannot be read as text.
    /// </summary>
    public static DetectedEncoding Detect(ReadOnlySpan<byte> sample, bool complete, string? declared)
    {
        if (sample.StartsWith("PK\u0003\u0004"u8) || sample.StartsWith(OleSignature))
        {
            throw new InputValidationException("file", "import.spreadsheet");
        }

        if (sample.StartsWith(Utf16Little) || sample.StartsWith(Utf16Big))
        {
            throw new InputValidationException("file", "import.encoding_utf16");
        }

        if (sample.IndexOf((byte)0) >= 0)
        {
            throw new InputValidationException("file", "import.binary");
        }

        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
        if (declared is { } charset && IsChineseCharset(charset))
        {
            return new DetectedEncoding(Gb18030, "gb18030", Converted: true);
        }

        if (DecodesStrictly(new UTF8Encoding(false, throwOnInvalidBytes: true), sample, complete, out _))
        {
            return new DetectedEncoding(utf8, "utf-8", Converted: false);
        }

        // GB18030 accepts many byte pairs, so Latin-1 text (é followed by a letter) can decode "successfully" into
        // nonsense; a Chinese file decodes to Chinese, so most of what is not ASCII must be Han or CJK punctuation.
        if (DecodesStrictly(Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback), sample, complete, out var text)
            && LooksChinese(text))
        {
            return new DetectedEncoding(Gb18030, "gb18030", Converted: true);
        }

        throw new InputValidationException("file", "import.encoding_unknown");
    }

    public static bool IsChineseCharset(string charset) =>
        charset.Trim().Trim('"').ToUpperInvariant() is "GBK" or "GB2312" or "GB18030" or "CP936" or "X-GBK";

    private static bool DecodesStrictly(Encoding encoding, ReadOnlySpan<byte> sample, bool complete, out string text)
    {
        var decoder = encoding.GetDecoder();
        var chars = new char[encoding.GetMaxCharCount(Math.Min(sample.Length, 4096))];
        var builder = new StringBuilder(sample.Length);
        text = "";
        try
        {
            while (!sample.IsEmpty)
            {
                var take = Math.Min(sample.Length, 4096);
                decoder.Convert(sample[..take], chars, flush: complete && take == sample.Length, out var used, out var produced, out _);
                builder.Append(chars, 0, produced);
                sample = sample[used..];
            }

            text = builder.ToString();
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool LooksChinese(string text)
    {
        var other = 0;
        var chinese = 0;
        foreach (var c in text)
        {
            if (c < 0x80)
            {
                continue;
            }

            if (c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\u3000' and <= '\u303F' or >= '\uFF00' and <= '\uFFEF')
            {
                chinese++;
            }
            else
            {
                other++;
            }
        }

        return chinese > 0 && other * 10 <= chinese;
    }
}

/// <summary>A stream that first replays bytes already read (the sample the encoding was decided on), then continues with the rest.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream rest) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < prefixLength)
        {
            var take = Math.Min(buffer.Length, prefixLength - _position);
            prefix.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        return rest.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position < prefixLength)
        {
            var take = Math.Min(buffer.Length, prefixLength - _position);
            prefix.AsMemory(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        return await rest.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Counts the bytes read through it, for progress bars.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    private long _read;

    public long BytesRead => Interlocked.Read(ref _read);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        Interlocked.Add(ref _read, read);
        return read;
    }
}
