using System.Diagnostics;

namespace Tracemark.Cli.Tests;

/// <summary>Runs the built `tracemark` command as a user would, in its own process.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

internal static class CliProcess
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "tracemark.dll");

    public static Process Start(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, bool redirectInput = false)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            StandardInputEncoding = redirectInput ? new System.Text.UTF8Encoding(false) : null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // The child sees only what the test gives it, not the test run's own database settings.
        foreach (var name in new[] { "TRACEMARK_DATABASE", "ConnectionStrings__Tracemark", "TRACEMARK_DATA", "TRACEMARK_URLS", "TRACEMARK_DEMO", "TRACEMARK_TEST_DATABASE" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[name] = value;
        }

        return Process.Start(psi)!;
    }

    public static async Task<CliResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null, string? input = null)
    {
        using var process = Start(arguments, environment, input is not null);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException ex)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("tracemark " + string.Join(' ', arguments) + " did not finish: " + await error, ex);
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>Sends SIGTERM, as a service manager or `kill` would.</summary>
    public static void Terminate(Process process)
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

}
