using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tracemark.Server.Platform.Hosting;

internal sealed record ProcessResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last non-empty line of output: usually the one that says what went wrong.</summary>
    public string LastLine => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}

/// <summary>Runs helper programs (initdb, pg_ctl, chown), optionally as another user when we are root.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, string? asUser = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asUser is null)
        {
            psi.FileName = file;
        }
        else
        {
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(asUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }

        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        // Messages from PostgreSQL tools are parsed for diagnostics: keep them in English whatever the locale.
        psi.Environment["LC_ALL"] = "C.UTF-8";
        psi.Environment["LC_MESSAGES"] = "C";

        using var process = new Process { StartInfo = psi };
        var output = new StringBuilder();
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new StartupException($"cannot run '{psi.FileName}': {ex.Message}", ex);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException ex)
        {
            process.Kill(entireProcessTree: true);
            throw new StartupException(string.Create(CultureInfo.InvariantCulture, $"'{file}' did not finish within {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:0} s"), ex);
        }

        // WaitForExitAsync returns once the streams are drained, so Output is complete here.
        lock (gate)
        {
            return new ProcessResult(process.ExitCode, output.ToString());
        }

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                output.AppendLine(line);
            }
        }
    }
}
