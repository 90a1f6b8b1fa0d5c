using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Tracemark.Matching;

namespace Tracemark.Cli;

/// <summary>
/// <c>tracemark screen</c>: screens a file of texts (one per line) against a file of marks, on its own, with
/// no server and no database, and writes one line of NDJSON per input line to stdout.
/// </summary>
internal static class ScreenCommand
{
    // Lines are screened in batches, in parallel, and written in order: memory stays bounded by one batch.
    private const int BatchLines = 4096;
    private const int BatchChars = 8 << 20;

    public static Command Create()
    {
        var marks = new Option<FileInfo>("--marks")
        {
            Description = "CSV (UTF-8) with a header naming at least the columns id and mark; a mark with several names (scripts, languages) "
                + "has several rows with the same id. An optional column exclusions holds phrases, separated by |, in which the mark is not the mark "
                + "(\"apple pie\"). Blank and repeated rows are skipped; a row with an empty id or mark is an error.",
            HelpName = "marks.csv",
            Required = true,
        };
        var input = new Option<string>("--input")
        {
            Description = "Texts to screen, one per line (UTF-8; lines end at \\n, \\r\\n or \\r; '-' reads stdin). Every line gets one output line, "
                + "empty lines included; bytes that are not UTF-8 are read as U+FFFD and reported on stderr.",
            HelpName = "texts.txt",
            Required = true,
        };
        var riskTerms = new Option<FileInfo?>("--risk-terms")
        {
            Description = "Risk terms, one per line, or a language and a term separated by a tab; lines starting with # are comments "
                + "(default: the built-in English and Chinese lists: replica, 1:1, AAA, 高仿, 原单, …).",
            HelpName = "terms.txt",
        };
        var exactOnly = new Option<bool>("--exact-only")
        {
            Description = "Report exact hits of marks and risk terms only: no lookalikes (faster; word lists are not read, as they only decide lookalikes).",
        };
        var words = new Option<FileInfo[]>("--words")
        {
            Description = "More ordinary words, one per line, that are never lookalikes of a mark; repeatable. The Debian word lists "
                + "/usr/share/dict/american-english and british-english are always used when present, and those of Spanish, French, Italian, "
                + "German, Portuguese and Dutch (packages wspanish, wfrench, witalian, wngerman, wportuguese, wdutch), whose words stop a "
                + "lookalike made by a mistyped letter only (\"Tiempo\" is Spanish, not Tempo mistyped; \"Τempo\" with a Greek T is still found).",
            HelpName = "words.txt",
            AllowMultipleArgumentsPerToken = false,
        };
        var vocabulary = new Option<FileInfo[]>("--vocabulary")
        {
            Description = "The vocabulary of your own catalogue, one word per line (for example every word seen in many of its listings: product "
                + "lines, other brands, abbreviations); repeatable. Such a word is never a lookalike on its own and a mark that is one is not "
                + "sought glued into longer words, but a run of them is still searched for a mistyped name of several words.",
            HelpName = "vocabulary.txt",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("screen", "Screen texts for protected marks, their lookalikes (misspellings, homoglyphs, spacing, full-width, "
            + "traditional/simplified Chinese, …) and risk terms. Writes NDJSON to stdout, one line per input line: "
            + "{\"line\":N,\"hits\":[{\"markId\",\"mark\",\"kind\":\"exact|lookalike|risk-term\",\"start\",\"length\",\"matched\",\"score\",\"reason\"}]}, "
            + "with N counted from 1 and start/length in UTF-16 code units of that line (markId is null for risk terms). Needs no server or database.")
        {
            marks, input, riskTerms, exactOnly, words, vocabulary,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = new Run(
                parsed.GetValue(marks)!,
                parsed.GetValue(input)!,
                parsed.GetValue(riskTerms),
                parsed.GetValue(exactOnly) ? ScreeningMode.ExactOnly : ScreeningMode.Full,
                parsed.GetValue(words) ?? [],
                parsed.GetValue(vocabulary) ?? []);
            return await ScreenAsync(settings, cancellationToken);
        });
        return command;
    }

    private sealed record Run(FileInfo Marks, string Input, FileInfo? RiskTerms, ScreeningMode Mode, FileInfo[] Words, FileInfo[] Vocabulary);

    private static async Task<int> ScreenAsync(Run run, CancellationToken cancellationToken)
    {
        await using var source = run.Input == "-" ? Console.OpenStandardInput() : OpenInput(run.Input);
        var lexicon = Load(run);
        var decoding = new CountingFallback();
        var encoding = (Encoding)new UTF8Encoding(false).Clone();
        encoding.DecoderFallback = decoding;
        using var reader = new StreamReader(source, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        await using var output = Console.OpenStandardOutput();
        await using var buffered = new BufferedStream(output, 1 << 16);
        var screening = new Screening(lexicon, run.Mode, reader, buffered, decoding);

        if (Console.IsErrorRedirected)
        {
            await screening.RunAsync(null, cancellationToken);
        }
        else
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            await console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("screening", maxValue: source.CanSeek ? Math.Max(1, source.Length) : 1);
                    task.IsIndeterminate = !source.CanSeek;
                    await screening.RunAsync(() => task.Value = source.CanSeek ? source.Position : 0, cancellationToken);
                });
        }

        await buffered.FlushAsync(cancellationToken);
        if (screening.LinesWithInvalidUtf8 > 0)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"tracemark: {screening.LinesWithInvalidUtf8} line(s) were not valid UTF-8 (first: line {screening.FirstInvalidLine}); the bad bytes were read as U+FFFD"));
        }

        return 0;
    }

    private static FileStream OpenInput(string path) =>
        File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16) : throw new FileNotFoundException(null, path);

    private static Lexicon Load(Run run)
    {
        if (!run.Marks.Exists)
        {
            throw new FileNotFoundException(null, run.Marks.FullName);
        }

        var marks = MarksCsv.Read(run.Marks.FullName);
        if (marks.Duplicates > 0)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tracemark: {marks.Duplicates} repeated row(s) of {run.Marks.Name} skipped"));
        }

        if (run.RiskTerms is { Exists: false })
        {
            throw new FileNotFoundException(null, run.RiskTerms.FullName);
        }

        var terms = run.RiskTerms is null ? null : MarksCsv.RiskTerms(run.RiskTerms.FullName);
        if (run.Mode == ScreeningMode.ExactOnly)
        {
            // Word lists decide lookalikes only: exact hits are the same without them (a test in the Matching tests
            // holds this), and reading the system's 1.7 million words took about 0.65 s of CPU at every start, a sixth of
            // an exact-only run over 64 MB (docs/benchmarks.md, screening, 2026-11-22). A list asked for must still exist.
            foreach (var file in run.Words.Concat(run.Vocabulary).Where(file => !file.Exists))
            {
                throw new FileNotFoundException(null, file.FullName);
            }

            return Lexicon.Build(marks.Marks, terms);
        }

        var dictionaries = WordList.SystemDictionaries.Where(File.Exists).ToList();
        if (dictionaries.Count == 0)
        {
            Console.Error.WriteLine("tracemark: the Debian word lists are missing (apt-get install wamerican wbritish): ordinary words near a mark will be reported as lookalikes");
        }

        var missing = WordList.OtherLanguageDictionaries.Where(path => !File.Exists(path)).Select(Path.GetFileName).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"tracemark: word lists of other languages are missing ({string.Join(", ", missing)}; apt-get install wspanish wfrench witalian wngerman wportuguese wdutch): their words one letter from a mark will be reported as lookalikes");
        }

        var words = WordList.FromSystemDictionaries(run.Words.Select(w => w.FullName), run.Vocabulary.Select(w => w.FullName));
        return Lexicon.Build(marks.Marks, terms, words);
    }

    /// <summary>Reads batches of lines, screens each batch in parallel and writes the results in input order.</summary>
    private sealed class Screening(Lexicon lexicon, ScreeningMode mode, StreamReader reader, Stream output, CountingFallback decoding)
    {
        private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

        // Property names encoded once, not checked for characters to escape in every hit.
        private static readonly JsonEncodedText LineName = JsonEncodedText.Encode("line");
        private static readonly JsonEncodedText HitsName = JsonEncodedText.Encode("hits");
        private static readonly JsonEncodedText MarkIdName = JsonEncodedText.Encode("markId");
        private static readonly JsonEncodedText MarkName = JsonEncodedText.Encode("mark");
        private static readonly JsonEncodedText KindName = JsonEncodedText.Encode("kind");
        private static readonly JsonEncodedText StartName = JsonEncodedText.Encode("start");
        private static readonly JsonEncodedText LengthName = JsonEncodedText.Encode("length");
        private static readonly JsonEncodedText MatchedName = JsonEncodedText.Encode("matched");
        private static readonly JsonEncodedText ScoreName = JsonEncodedText.Encode("score");
        private static readonly JsonEncodedText ReasonName = JsonEncodedText.Encode("reason");

        private readonly List<string> _lines = new(BatchLines);
        private byte[][] _results = new byte[BatchLines][];
        private long _lineNumber;

        public long LinesWithInvalidUtf8 { get; private set; }

        public long FirstInvalidLine { get; private set; }

        public async Task RunAsync(Action? progress, CancellationToken cancellationToken)
        {
            while (await ReadBatchAsync(cancellationToken))
            {
                var first = _lineNumber - _lines.Count + 1;
                Parallel.For(0, _lines.Count, new ParallelOptions { CancellationToken = cancellationToken }, () => new ArrayBufferWriter<byte>(1024), (i, _, buffer) =>
                {
                    _results[i] = Format(buffer, first + i, lexicon.Screen(_lines[i], mode));
                    return buffer;
                }, _ => { });

                for (var i = 0; i < _lines.Count; i++)
                {
                    await output.WriteAsync(_results[i], cancellationToken);
                    _results[i] = [];
                }

                progress?.Invoke();
            }
        }

        private async Task<bool> ReadBatchAsync(CancellationToken cancellationToken)
        {
            _lines.Clear();
            var chars = 0;
            while (_lines.Count < BatchLines && chars < BatchChars)
            {
                var line = await reader.ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    break;
                }

                // The reader decodes ahead of the line it returns, so the bad lines are the ones holding U+FFFD.
                _lineNumber++;
                if (decoding.Replacements > 0 && line.Contains('\uFFFD', StringComparison.Ordinal))
                {
                    LinesWithInvalidUtf8++;
                    FirstInvalidLine = FirstInvalidLine == 0 ? _lineNumber : FirstInvalidLine;
                }

                _lines.Add(line);
                chars += line.Length;
            }

            if (_results.Length < _lines.Count)
            {
                _results = new byte[_lines.Count][];
            }

            return _lines.Count > 0;
        }

        private static byte[] Format(ArrayBufferWriter<byte> buffer, long line, IReadOnlyList<ScreeningHit> hits)
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, JsonOptions))
            {
                json.WriteStartObject();
                json.WriteNumber(LineName, line);
                json.WriteStartArray(HitsName);
                foreach (var hit in hits)
                {
                    json.WriteStartObject();
                    if (hit.MarkId is null)
                    {
                        json.WriteNull(MarkIdName);
                    }
                    else
                    {
                        json.WriteString(MarkIdName, hit.MarkId);
                    }

                    json.WriteString(MarkName, hit.Mark);
                    json.WriteString(KindName, hit.Kind.ToWire());
                    json.WriteNumber(StartName, hit.Start);
                    json.WriteNumber(LengthName, hit.Length);
                    json.WriteString(MatchedName, hit.Matched);
                    json.WriteNumber(ScoreName, hit.Score);
                    json.WriteString(ReasonName, hit.Reason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            var bytes = new byte[buffer.WrittenCount + 1];
            buffer.WrittenSpan.CopyTo(bytes);
            bytes[^1] = (byte)'\n';
            return bytes;
        }
    }

    /// <summary>Reads bytes that are not UTF-8 as U+FFFD, as the default does, and counts how often that happened.</summary>
    private sealed class CountingFallback : DecoderFallback
    {
        private long _replacements;

        public long Replacements => Interlocked.Read(ref _replacements);

        public override int MaxCharCount => 1;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

        private sealed class Buffer(CountingFallback owner) : DecoderFallbackBuffer
        {
            private bool _pending;

            public override int Remaining => _pending ? 1 : 0;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                Interlocked.Increment(ref owner._replacements);
                _pending = true;
                return true;
            }

            public override char GetNextChar()
            {
                if (!_pending)
                {
                    return '\0';
                }

                _pending = false;
                return '\uFFFD';
            }

            public override bool MovePrevious() => false;

            public override void Reset() => _pending = false;
        }
    }
}
