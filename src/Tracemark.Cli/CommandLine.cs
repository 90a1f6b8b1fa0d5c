using System.CommandLine;
using Microsoft.AspNetCore.Connections;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Cli;

/// <summary>Runs a command and turns every failure into one line on stderr and a non-zero exit code.</summary>
internal static class CommandLine
{
    public const int Failure = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0)
        {
            var command = parsed.CommandResult.Command;
            var name = command == root ? "tracemark" : "tracemark " + command.Name;

            // An unknown word explains more than the missing command it causes.
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            await Console.Error.WriteLineAsync($"tracemark: {error.Message} (see '{name} --help')");
            return UsageError;
        }

        try
        {
            // The host handles Ctrl-C and SIGTERM itself and must be left to stop PostgreSQL before the process ends.
            return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (Describe(ex) is { } message)
        {
            await Console.Error.WriteLineAsync("tracemark: " + message);
            return Failure;
        }
    }

    /// <summary>The one line to print for a failure we can explain; null lets a real bug surface with its stack.</summary>
    internal static string? Describe(Exception ex) => ex switch
    {
        StartupException startup => startup.Message,
        TracemarkException domain => domain.Message,
        IOException { InnerException: AddressInUseException } io => $"{io.Message.TrimEnd('.')}: stop the program using that port, or set TRACEMARK_URLS (e.g. http://127.0.0.1:5081)",
        AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
        FileNotFoundException missing => $"file not found: {missing.FileName}",
        UnauthorizedAccessException denied => denied.Message,
        OperationCanceledException => "cancelled",
        _ => null,
    };
}
