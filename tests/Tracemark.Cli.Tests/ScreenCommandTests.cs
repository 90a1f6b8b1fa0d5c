using System.Text;
using System.Text.Json;

namespace Tracemark.Cli.Tests;

/// <summary>`tracemark screen`, run as a user runs it: files in, NDJSON out, no server or database.</summary>
public sealed class ScreenCommandTests : IDisposable
{
    private const string Marks = """
        id,mark,exclusions
        nike,Nike,
        nike,耐克,
        apple,Apple,apple pie|apple juice
        adidas,Adidas,
        adidas,Adidas,
        "dtf","Din Tai Fung, Inc.",
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("tracemark-screen-tests").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content) => Write(name, Encoding.UTF8.GetBytes(content));

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static List<JsonElement> Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];

    [Fact]
    public async Task Help_documents_every_option_and_the_output()
    {
        var result = await CliProcess.RunAsync(["screen", "--help"]);

        Assert.Equal(0, result.ExitCode);
        foreach (var word in new[] { "--marks", "--input", "--risk-terms", "--exact-only", "--words", "--vocabulary", "wspanish", "id and mark", "exclusions", "NDJSON", "UTF-16", "U+FFFD", "stdin" })
        {
            Assert.Contains(word, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Each_input_line_gets_one_output_line_with_its_hits()
    {
        string[] texts = ["N1KE running shoes replica", "", "正品耐剋 高仿", "apple pie and an Apple iPhone", "adi das", "din tai fung, inc. 𝐧𝐢𝐤𝐞"];
        var input = Write("texts.txt", string.Join("\r\n", texts) + "\r\n");

        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", Marks), "--input", input]);

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = Lines(result.Output);
        Assert.Equal(texts.Length, lines.Count);
        for (var n = 0; n < texts.Length; n++)
        {
            Assert.Equal(n + 1, lines[n].GetProperty("line").GetInt32());
            foreach (var hit in lines[n].GetProperty("hits").EnumerateArray())
            {
                Assert.Equal(["markId", "mark", "kind", "start", "length", "matched", "score", "reason"], hit.EnumerateObject().Select(p => p.Name));
                var matched = texts[n].Substring(hit.GetProperty("start").GetInt32(), hit.GetProperty("length").GetInt32());
                Assert.Equal(hit.GetProperty("matched").GetString(), matched);
            }
        }

        string Hits(int line) => string.Join(" | ", lines[line].GetProperty("hits").EnumerateArray().Select(h =>
            $"{(h.GetProperty("markId").ValueKind == JsonValueKind.Null ? "-" : h.GetProperty("markId").GetString())} {h.GetProperty("kind").GetString()} {h.GetProperty("matched").GetString()}"));
        Assert.Equal("nike lookalike N1KE | - risk-term replica", Hits(0));
        Assert.Equal("", Hits(1));
        Assert.Equal("nike lookalike 耐剋 | - risk-term 高仿", Hits(2));
        Assert.Equal("apple exact Apple", Hits(3));
        Assert.Equal("adidas lookalike adi das", Hits(4));
        Assert.Equal("dtf exact din tai fung, inc | nike lookalike 𝐧𝐢𝐤𝐞", Hits(5));
        Assert.Contains("repeated row", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exact_only_leaves_out_lookalikes()
    {
        var input = Write("texts.txt", "N1KE Nike replica\n");

        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", Marks), "--input", input, "--exact-only"]);

        Assert.Equal(0, result.ExitCode);
        var kinds = Lines(result.Output)[0].GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("kind").GetString());
        Assert.Equal(["exact", "risk-term"], kinds);
    }

    [Fact]
    public async Task Risk_terms_come_from_the_given_file_instead_of_the_built_in_lists()
    {
        var terms = Write("terms.txt", "# our list\n\nde\tFälschung\nknockoff\n");
        var input = Write("texts.txt", "replica knockoff FALSCHUNG\n");

        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", Marks), "--input", input, "--risk-terms", terms]);

        Assert.Equal(0, result.ExitCode);
        var matched = Lines(result.Output)[0].GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("matched").GetString());
        Assert.Equal(["knockoff", "FALSCHUNG"], matched);
    }

    [Fact]
    public async Task Words_given_as_ordinary_are_not_lookalikes()
    {
        var marks = Write("marks.csv", "id,mark\nsonic,Sonic\n");
        var input = Write("texts.txt", "sonix water\n");

        var plain = await CliProcess.RunAsync(["screen", "--marks", marks, "--input", input]);
        var withWords = await CliProcess.RunAsync(["screen", "--marks", marks, "--input", input, "--words", Write("words.txt", "sonix\n")]);

        Assert.Single(Lines(plain.Output)[0].GetProperty("hits").EnumerateArray());
        Assert.Empty(Lines(withWords.Output)[0].GetProperty("hits").EnumerateArray());
    }

    [Fact]
    public async Task A_catalogue_vocabulary_and_the_other_languages_stop_lookalikes_that_the_English_lists_do_not()
    {
        var marks = Write("marks.csv", "id,mark\ntempo,Tempo\ntileshop,The Tile Shop\n");
        var input = Write("texts.txt", "tempox boots\nNike Tiempo Legend\nTh Tile Shop\n");

        var plain = await CliProcess.RunAsync(["screen", "--marks", marks, "--input", input]);
        var withVocabulary = await CliProcess.RunAsync(["screen", "--marks", marks, "--input", input, "--vocabulary", Write("vocabulary.txt", "tempox\nth\ntile\nshop\n")]);

        Assert.True(plain.ExitCode == 0, plain.Error);
        Assert.True(withVocabulary.ExitCode == 0, withVocabulary.Error);
        Assert.NotEmpty(Lines(plain.Output)[0].GetProperty("hits").EnumerateArray()); // "tempox": a letter added, a word of no list
        Assert.Empty(Lines(withVocabulary.Output)[0].GetProperty("hits").EnumerateArray());

        // "Tiempo" is Spanish (wspanish, a prerequisite): never a lookalike of Tempo, with or without a vocabulary.
        Assert.DoesNotContain(Lines(plain.Output)[1].GetProperty("hits").EnumerateArray(), h => h.GetProperty("markId").GetString() == "tempo");

        // A run of the vocabulary's words is still searched for a name of several words with a letter left out.
        Assert.Contains(Lines(withVocabulary.Output)[2].GetProperty("hits").EnumerateArray(), h => h.GetProperty("markId").GetString() == "tileshop");
    }

    [Fact]
    public async Task Bytes_that_are_not_UTF8_are_read_as_replacement_characters_and_reported()
    {
        var input = Write("texts.txt", [.. "Nike\n"u8, .. "bad "u8, 0xFF, 0xFE, .. " Nike\n"u8, 0xFF, 0x0A, .. "adidas\n"u8]);

        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", Marks), "--input", input]);

        Assert.Equal(0, result.ExitCode);
        var lines = Lines(result.Output);
        Assert.Equal(4, lines.Count);
        var hit = Assert.Single(lines[1].GetProperty("hits").EnumerateArray());
        Assert.Equal(7, hit.GetProperty("start").GetInt32()); // "bad \uFFFD\uFFFD Nike": UTF-16 positions after the replacement
        Assert.Contains("2 line(s) were not valid UTF-8 (first: line 2)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_stdin_when_the_input_is_a_dash()
    {
        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", Marks), "--input", "-"], input: "Nike\nadidas\n");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal([1, 2], Lines(result.Output).Select(l => l.GetProperty("line").GetInt32()));
    }

    [Fact]
    public async Task Many_lines_come_out_in_input_order()
    {
        var texts = Enumerable.Range(0, 10_000).Select(i => i % 3 == 0 ? $"item {i} N1KE" : $"item {i}").ToList();
        var input = Write("texts.txt", string.Join('\n', texts));

        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", Marks), "--input", input]);

        Assert.Equal(0, result.ExitCode);
        var lines = Lines(result.Output);
        Assert.Equal(texts.Count, lines.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(i + 1, lines[i].GetProperty("line").GetInt32());
            Assert.Equal(i % 3 == 0 ? 1 : 0, lines[i].GetProperty("hits").GetArrayLength());
        }
    }

    [Theory]
    [InlineData("id,name\nnike,Nike\n", "the header must name the columns id and mark (it names: id, name)")]
    [InlineData("", "is empty: it needs a header line naming the columns id and mark")]
    [InlineData("id,mark\nnike,\"Nike\n", "line 2: a quoted field is never closed")]
    [InlineData("id,mark\nnike,Nike\n,Adidas\n", "line 3: the id is empty")]
    [InlineData("id,mark\nnike,Nike,extra\n", "line 2: 3 fields where the header has 2")]
    public async Task A_bad_marks_file_is_one_line_saying_what_is_wrong(string marks, string message)
    {
        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", marks), "--input", Write("texts.txt", "Nike\n")]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("tracemark: marks.csv", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task A_marks_file_that_is_not_UTF8_is_an_error()
    {
        var result = await CliProcess.RunAsync(["screen", "--marks", Write("marks.csv", [.. "id,mark\n1,"u8, 0xFF, 0x0A]), "--input", Write("texts.txt", "x\n")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("tracemark: marks.csv is not valid UTF-8: save it as UTF-8 and try again", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("marks", false)]
    [InlineData("input", false)]
    [InlineData("--words", false)]
    [InlineData("--vocabulary", false)]
    [InlineData("--words", true)] // exact-only does not read word lists, but one asked for must exist
    [InlineData("--vocabulary", true)]
    public async Task A_missing_file_is_one_line(string missing, bool exactOnly)
    {
        // Marks without a repeated row, whose warning would come first.
        var marks = missing == "marks" ? Path.Combine(_folder, "none.csv") : Write("marks.csv", "id,mark\nnike,Nike\n");
        var input = missing == "input" ? Path.Combine(_folder, "none.txt") : Write("texts.txt", "x\n");
        List<string> arguments = ["screen", "--marks", marks, "--input", input];
        if (missing.StartsWith("--", StringComparison.Ordinal))
        {
            arguments.AddRange([missing, Path.Combine(_folder, "none-words.txt")]);
        }

        if (exactOnly)
        {
            arguments.Add("--exact-only");
        }

        var result = await CliProcess.RunAsync([.. arguments]);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("tracemark: file not found: ", error, StringComparison.Ordinal);
        Assert.EndsWith(missing.StartsWith("--", StringComparison.Ordinal) ? "none-words.txt" : missing == "marks" ? "none.csv" : "none.txt", error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public async Task Marks_and_input_are_required()
    {
        var result = await CliProcess.RunAsync(["screen", "--input", "x.txt"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--marks", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
