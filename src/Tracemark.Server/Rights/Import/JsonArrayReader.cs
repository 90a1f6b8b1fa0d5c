using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Tracemark.Core.Errors;

namespace Tracemark.Server.Rights.Import;

/// <summary>One element of a JSON array: the line it starts on (1-based) and its UTF-8 bytes.</summary>
public sealed record JsonItem(int Line, ReadOnlyMemory<byte> Utf8);

/// <summary>The JSON is not well-formed (or not an array), at a line of the file.</summary>
public sealed class JsonImportException(int line, string code)
    : Exception(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{code} at line {line}"))
{
    public int Line { get; } = line;

    public string Code { get; } = code;
}

/// <summary>
/// Reads a top-level JSON array element by element from a UTF-8 stream, holding one element in memory
/// at a time, and says on which line each element starts, so that a report can name rows the way the
/// CSV report does.
/// </summary>
public sealed class JsonArrayReader(Stream stream)
{
    /// <summary>An element larger than this is refused rather than buffered.</summary>
    public const int MaxElementBytes = 1 << 20;

    /// <summary>
    /// The elements of an import file's array, in whatever encoding the file was detected in (JSON is UTF-8 by
    /// definition; a file saved in GBK is converted on the way in); a file that is not well-formed is the
    /// file's problem, at its line.
    /// </summary>
    public static async IAsyncEnumerable<JsonItem> ItemsAsync(Stream content, DetectedEncoding encoding, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var utf8 = encoding.Converted ? Encoding.CreateTranscodingStream(content, encoding.Encoding, Encoding.UTF8, leaveOpen: true) : content;
        var reader = new JsonArrayReader(new BomSkippingStream(utf8));
        while (true)
        {
            JsonItem? item;
            try
            {
                item = await reader.ReadAsync(cancellationToken);
            }
            catch (JsonImportException ex)
            {
                throw new InputValidationException("file", ex.Code, ex.Line);
            }

            if (item is null)
            {
                yield break;
            }

            yield return item;
        }
    }

    private byte[] _buffer = new byte[65_536];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _begun;
    private bool _finished;
    private int _line = 1;

    // Lines are counted up to here (an offset into the buffer).
    private int _counted;
    private JsonReaderState _state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });

    /// <summary>The next element, or null after the closing bracket.</summary>
    public async Task<JsonItem?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_finished)
            {
                return null;
            }

            var step = Step(out var item);
            switch (step)
            {
                case Result.Item:
                    return item;
                case Result.Done:
                    _finished = true;
                    return null;
                case Result.NeedMore:
                    if (_eof)
                    {
                        throw new JsonImportException(CountTo(_end), "import.json_truncated");
                    }

                    await FillAsync(cancellationToken);
                    break;
            }
        }
    }

    private enum Result
    {
        Item,
        Done,
        NeedMore,
    }

    private Result Step(out JsonItem? item)
    {
        item = null;
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, _state);
        try
        {
            if (!_begun)
            {
                if (!reader.Read())
                {
                    return Result.NeedMore;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonImportException(CountTo(_start + (int)reader.TokenStartIndex), "import.json_not_array");
                }

                _begun = true;
                Advance(ref reader);
            }

            var probe = reader;
            if (!probe.Read())
            {
                return Result.NeedMore;
            }

            if (probe.TokenType == JsonTokenType.EndArray)
            {
                Advance(ref probe);
                return Result.Done;
            }

            var elementStart = _start + (int)probe.TokenStartIndex;
            if (probe.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !probe.TrySkip())
            {
                if (_end - elementStart > MaxElementBytes)
                {
                    throw new JsonImportException(CountTo(elementStart), "import.json_element_too_large");
                }

                return Result.NeedMore;
            }

            var elementEnd = _start + (int)probe.BytesConsumed;
            var line = CountTo(elementStart);
            item = new JsonItem(line, _buffer.AsMemory(elementStart, elementEnd - elementStart).ToArray());
            Advance(ref probe);
            return Result.Item;
        }
        catch (JsonException ex)
        {
            throw new JsonImportException(CountTo(_start) + (int)(ex.LineNumber ?? 0), "import.json_malformed");
        }
    }

    private void Advance(ref Utf8JsonReader reader)
    {
        _start += (int)reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    /// <summary>The line number at a buffer offset, counting newlines incrementally.</summary>
    private int CountTo(int offset)
    {
        if (offset > _counted)
        {
            _line += _buffer.AsSpan(_counted, offset - _counted).Count((byte)'\n');
            _counted = offset;
        }

        return _line;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        // Keep the unread part (and the line count's position in it) at the start of the buffer.
        CountTo(_start);
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _counted -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= 2 * MaxElementBytes)
            {
                throw new JsonImportException(CountTo(_start), "import.json_element_too_large");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        _eof = read == 0;
    }
}
