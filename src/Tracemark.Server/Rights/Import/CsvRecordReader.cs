using System.Text;
using Tracemark.Core.Errors;

namespace Tracemark.Server.Rights.Import;

/// <summary>One CSV record: the line of the file it starts on (1-based) and its fields.</summary>
public sealed record CsvRecord(int Line, IReadOnlyList<string> Fields);

/// <summary>The header of an import file: column names as people write them, in English or Chinese.</summary>
public static class CsvHeader
{
    /// <summary>
    /// The header's columns by their canonical names ("Goods Description", "goods-description" and a Chinese
    /// alias are one column), with each unknown, repeated or missing column added to <paramref name="rules"/>.
    /// </summary>
    public static List<string> Columns(CsvRecord header, IReadOnlyList<string> known, IEnumerable<string> required, IReadOnlyDictionary<string, string> aliases, FieldRules rules)
    {
        var columns = new List<string>(header.Fields.Count);
        foreach (var raw in header.Fields)
        {
            var name = raw.Normalize(NormalizationForm.FormKC).Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
            name = aliases.GetValueOrDefault(name, name);
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                rules.Add("header", "import.unknown_column", raw.Trim(), string.Join(", ", known));
            }
            else if (columns.Contains(name, StringComparer.Ordinal))
            {
                rules.Add("header", "import.duplicate_column", raw.Trim());
            }

            columns.Add(name);
        }

        foreach (var missing in required.Where(c => !columns.Contains(c, StringComparer.Ordinal)))
        {
            rules.Add("header", "import.missing_column", missing);
        }

        return columns;
    }
}

/// <summary>
/// Reads CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF) from a
/// text stream one record at a time, so a file of any size needs the memory of one record. Records
/// remember the line they start on, which is how rows are named in reports. The delimiter is taken from
/// the header line: a comma, or a semicolon or tab where the header has no comma (European and Excel
/// "Unicode text" exports).
/// </summary>
public sealed class CsvRecordReader(TextReader reader)
{
    /// <summary>A record longer than this is refused rather than buffered: no file may pin the server's memory.</summary>
    public const int MaxRecordLength = 1 << 20;

    private readonly char[] _buffer = new char[65_536];
    private readonly StringBuilder _field = new();
    private int _length;
    private int _position;
    private int _line = 1;
    private bool _started;
    private char _delimiter = ',';

    public char Delimiter => _delimiter;

    /// <summary>The next record, or null at the end. Blank lines are skipped (their numbers still count).</summary>
    public async Task<CsvRecord?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!(_position < _length || await FillAsync(cancellationToken)))
            {
                return null;
            }

            if (!_started)
            {
                _started = true;
                if (_buffer[_position] == '\uFEFF')
                {
                    _position++;
                }

                _delimiter = await SniffDelimiterAsync(cancellationToken);
                if (!(_position < _length || await FillAsync(cancellationToken)))
                {
                    return null;
                }
            }

            var c = _buffer[_position];
            if (c is '\r' or '\n')
            {
                await ConsumeLineEndAsync(cancellationToken);
                continue;
            }

            return await ReadRecordAsync(cancellationToken);
        }
    }

    private async Task<CsvRecord> ReadRecordAsync(CancellationToken cancellationToken)
    {
        var start = _line;
        var fields = new List<string>();
        var recordLength = 0;
        _field.Clear();
        var quoted = false;
        var fieldStart = true;
        while (_position < _length || await FillAsync(cancellationToken))
        {
            var c = _buffer[_position];
            if (++recordLength > MaxRecordLength)
            {
                throw new CsvTooLongException(start);
            }

            if (quoted)
            {
                _position++;
                if (c == '"')
                {
                    if ((_position < _length || await FillAsync(cancellationToken)) && _buffer[_position] == '"')
                    {
                        _field.Append('"');
                        _position++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n' || (c == '\r' && !((_position < _length || await FillAsync(cancellationToken)) && _buffer[_position] == '\n')))
                    {
                        _line++;
                    }

                    _field.Append(c);
                }

                continue;
            }

            if (c == '"' && fieldStart)
            {
                quoted = true;
                fieldStart = false;
                _position++;
                continue;
            }

            if (c == _delimiter)
            {
                fields.Add(_field.ToString());
                _field.Clear();
                fieldStart = true;
                _position++;
                continue;
            }

            if (c is '\r' or '\n')
            {
                await ConsumeLineEndAsync(cancellationToken);
                break;
            }

            _field.Append(c);
            fieldStart = false;
            _position++;
        }

        fields.Add(_field.ToString());
        return new CsvRecord(start, fields);
    }

    private async Task ConsumeLineEndAsync(CancellationToken cancellationToken)
    {
        var c = _buffer[_position++];
        if (c == '\r' && (_position < _length || await FillAsync(cancellationToken)) && _buffer[_position] == '\n')
        {
            _position++;
        }

        _line++;
    }

    /// <summary>Looks at the first line (already in the buffer when it is shorter than the buffer) to choose the delimiter.</summary>
    private async Task<char> SniffDelimiterAsync(CancellationToken cancellationToken)
    {
        if (_position >= _length)
        {
            await FillAsync(cancellationToken);
        }

        var end = _position;
        while (end < _length && _buffer[end] is not ('\r' or '\n'))
        {
            end++;
        }

        var header = _buffer.AsSpan(_position, end - _position);
        if (header.Contains(','))
        {
            return ',';
        }

        if (header.Contains('\t'))
        {
            return '\t';
        }

        return header.Contains(';') ? ';' : ',';
    }

    /// <summary>Refills the buffer; called only when it is used up, so the per-character path never awaits.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        _length = await reader.ReadAsync(_buffer.AsMemory(), cancellationToken);
        _position = 0;
        return _length > 0;
    }
}

/// <summary>A CSV record (usually an unclosed quote) runs on past <see cref="CsvRecordReader.MaxRecordLength"/> characters.</summary>
public sealed class CsvTooLongException(int line)
    : Exception(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The CSV record starting on line {line} is too long (an unclosed quote?)."))
{
    public int Line { get; } = line;
}
