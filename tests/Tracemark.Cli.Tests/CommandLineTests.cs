namespace Tracemark.Cli.Tests;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new string[0], new[] { "serve", "migrate", "demo", "verify", "import", "screen" })]
    [InlineData(new[] { "--help" }, new[] { "serve", "migrate", "demo", "verify", "import", "screen" })]
    [InlineData(new[] { "serve", "--help" }, new[] { "--data", "--database", "--urls", "--demo" })]
    [InlineData(new[] { "migrate", "--help" }, new[] { "--data", "--database", "--status" })]
    [InlineData(new[] { "demo", "--help" }, new[] { "--data", "--database", "--force" })]
    [InlineData(new[] { "verify", "--help" }, new[] { "--receipt", "--file", "--public-key", "--old", "--new", "--proof", "--server" })]
    public async Task Every_command_documents_itself(string[] arguments, string[] mentioned)
    {
        var result = await CliProcess.RunAsync(arguments);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        foreach (var word in mentioned)
        {
            Assert.Contains(word, result.Output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new[] { "bogus" }, "Unrecognized command or argument 'bogus'")]
    [InlineData(new[] { "serve", "--nope" }, "Unrecognized command or argument '--nope'")]
    [InlineData(new[] { "migrate", "--status", "extra" }, "Unrecognized command or argument 'extra'")]
    public async Task A_usage_error_is_one_line_and_exit_code_2(string[] arguments, string message)
    {
        var result = await CliProcess.RunAsync(arguments);
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("tracemark: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_is_one_line_saying_what_to_check()
    {
        var result = await CliProcess.RunAsync(["migrate", "--database", "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=none;Timeout=3"]);
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("tracemark: cannot reach the database none at 127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Contains("TRACEMARK_DATABASE", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_one_line()
    {
        var result = await CliProcess.RunAsync(["migrate"], new Dictionary<string, string?> { ["TRACEMARK_DATABASE"] = "Hots=x;;=" });
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("tracemark: the database connection string is not valid", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
