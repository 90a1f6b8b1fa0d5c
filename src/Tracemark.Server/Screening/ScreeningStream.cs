using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Tracemark.Core.Errors;
using Tracemark.Matching;
using Tracemark.Server.Platform.Errors;

namespace Tracemark.Server.Screening;

/// <summary>
/// The streaming endpoint: NDJSON in (one <c>{"id":…,"text":…}</c> per line) or plain text (one text per
/// line), NDJSON out, one result line per input line, written as batches are screened, so a catalogue of
/// millions of listings flows through in constant memory. A bad line (invalid UTF-8 or JSON, too long)
/// gets an error line of its own and the stream goes on.
/// </summary>
public static class ScreeningStream
{
    public const string NdjsonType = "application/x-ndjson";
    private const int BatchSize = 256;
    private const int MaxLineBytes = 4 * 1024 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task RunAsync(HttpContext context, ScreeningService screening, Problems problems, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType ?? "";
        var json = contentType.StartsWith(NdjsonType, StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("application/jsonl", StringComparison.OrdinalIgnoreCase);
        if (!json && !contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(context, problems.FromStatus(context, StatusCodes.Status415UnsupportedMediaType));
            return;
        }

        var rules = new FieldRules();
        var mode = ScreeningService.Mode(rules, context.Request.Query["mode"]);
        rules.ThrowIfAny();

        context.Response.ContentType = NdjsonType;
        var output = context.Response.BodyWriter;
        var batch = new List<Line>(BatchSize);
        await foreach (var line in ReadLinesAsync(context.Request.BodyReader, json, cancellationToken))
        {
            batch.Add(line);
            if (batch.Count == BatchSize)
            {
                await FlushAsync(batch, screening, mode, output, cancellationToken);
            }
        }

        await FlushAsync(batch, screening, mode, output, cancellationToken);
    }

    private static async Task FlushAsync(List<Line> batch, ScreeningService screening, ScreeningMode mode, PipeWriter output, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var texts = batch.Where(l => l.Error is null).Select(l => l.Text!).ToList();
        var hits = await screening.ScreenBatchAsync(texts, mode, cancellationToken);
        var next = 0;
        foreach (var line in batch)
        {
            var result = line.Error is null
                ? (object)new { line = line.Number, id = line.Id, hits = hits[next++] }
                : new { line = line.Number, id = line.Id, error = new { code = line.Error, message = line.Message } };
            await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(result, StreamJson.Options), cancellationToken);
            await output.WriteAsync("\n"u8.ToArray(), cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
        batch.Clear();
    }

    private static async IAsyncEnumerable<Line> ReadLinesAsync(PipeReader reader, bool json, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var number = 0;
        var skippingLongLine = false;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            while (TryTakeLine(ref buffer, out var bytes))
            {
                if (skippingLongLine)
                {
                    skippingLongLine = false;
                    continue;
                }

                number++;
                var line = Parse(bytes, number, json);
                if (line is not null)
                {
                    yield return line;
                }
            }

            // A line longer than the limit is reported once, and its bytes are dropped as they arrive.
            if (!skippingLongLine && buffer.Length > MaxLineBytes)
            {
                number++;
                yield return new Line(number, null, null, "screening.line_too_long", $"A line may hold at most {MaxLineBytes} bytes.");
                skippingLongLine = true;
            }

            if (skippingLongLine)
            {
                buffer = buffer.Slice(buffer.End);
            }

            if (read.IsCompleted)
            {
                if (!skippingLongLine && buffer.Length > 0)
                {
                    number++;
                    var last = Parse(buffer, number, json);
                    if (last is not null)
                    {
                        yield return last;
                    }
                }

                reader.AdvanceTo(buffer.End);
                break;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }

        await reader.CompleteAsync();
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>One input line; null for an empty line in plain-text input (nothing to screen, nothing to answer).</summary>
    private static Line? Parse(ReadOnlySequence<byte> bytes, int number, bool json)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray()).TrimEnd('\r');
        }
        catch (DecoderFallbackException)
        {
            return new Line(number, null, null, "screening.invalid_utf8", "The line is not valid UTF-8.");
        }

        if (!json)
        {
            return new Line(number, null, text, null, null);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return new Line(number, null, null, "screening.text_missing", "Each line must be an object with a string member \"text\".");
            }

            var id = root.TryGetProperty("id", out var given) ? given.ToString() : null;
            var screened = value.GetString()!;
            return screened.Length > ScreeningService.MaxTextLength
                ? new Line(number, id, null, "screening.text_too_long", $"A text may hold at most {ScreeningService.MaxTextLength} characters.")
                : new Line(number, id, screened, null, null);
        }
        catch (JsonException)
        {
            return new Line(number, null, null, "screening.invalid_json", "The line is not valid JSON.");
        }
    }

    private sealed record Line(int Number, string? Id, string? Text, string? Error, string? Message);

    private static class StreamJson
    {
        public static readonly JsonSerializerOptions Options = Create();

        private static JsonSerializerOptions Create()
        {
            var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            Platform.PlatformSetup.ConfigureJson(options);
            return options;
        }
    }
}
