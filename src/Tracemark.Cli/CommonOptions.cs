using System.CommandLine;

namespace Tracemark.Cli;

/// <summary>Options several commands share, mapped onto the server's configuration keys.</summary>
internal static class CommonOptions
{
    public static Option<string?> Data() => new("--data")
    {
        Description = "Data folder for the embedded PostgreSQL, keys and demo credentials (default: $TRACEMARK_DATA or ./.tracemark).",
        HelpName = "folder",
    };

    public static Option<string?> Database() => new("--database")
    {
        Description = "Connection string of an external PostgreSQL (default: $TRACEMARK_DATABASE; none starts the embedded one).",
        HelpName = "connection-string",
    };

    /// <summary>Configuration arguments for the server's builder: command-line options win over environment variables.</summary>
    public static List<string> ToConfiguration(ParseResult parsed, Option<string?> data, Option<string?> database)
    {
        var arguments = new List<string> { "--contentRoot=" + AppContext.BaseDirectory };
        if (parsed.GetValue(data) is { } folder)
        {
            arguments.Add("--Tracemark:Data=" + Path.GetFullPath(folder));
        }

        if (parsed.GetValue(database) is { } connection)
        {
            arguments.Add("--Tracemark:Database=" + connection);
        }

        return arguments;
    }
}
