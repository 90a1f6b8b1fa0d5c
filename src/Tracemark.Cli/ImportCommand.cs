using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using Spectre.Console;
using Tracemark.Core.Errors;
using Tracemark.Server.Accounts;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Database;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Hosting;
using Tracemark.Server.Platform.Localisation;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Rights.Import;

namespace Tracemark.Cli;

/// <summary>
/// <c>tracemark import rights FILE</c>: the same import as POST /api/v1/rights/import, run in this process
/// against the database, acting as the organisation of an API key (so it is authorised and audited exactly
/// like the API), with a progress bar. The key comes from --api-key or TRACEMARK_API_KEY.
/// </summary>
internal static class ImportCommand
{
    /// <summary>Exit code when some rows are invalid (the report says which; nothing is written unless --skip-invalid).</summary>
    public const int InvalidRows = 4;

    public static Command Create()
    {
        var command = new Command("import", "Import records from files.");
        command.Subcommands.Add(Rights());
        return command;
    }

    private static Command Rights()
    {
        var data = CommonOptions.Data();
        var database = CommonOptions.Database();
        var file = new Argument<FileInfo>("file") { Description = "A CSV file with a header line, or a JSON array (.json). UTF-8 or GBK. Schema: docs/rights-import.md." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every row and report what would change; write nothing." };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Write the valid rows even when some rows are invalid (otherwise nothing is written)." };
        var holder = new Option<Guid?>("--holder") { Description = "For agents: the rights holder to import for (it must have authorised the agent for all its rights).", HelpName = "organisation-id" };
        var apiKey = new Option<string?>("--api-key") { Description = "The API key to act as (default: $TRACEMARK_API_KEY); it needs the write scope.", HelpName = "key" };
        var format = new Option<string?>("--format") { Description = "csv or json (default: from the file's extension).", HelpName = "format" };
        var language = new Option<string?>("--language") { Description = "Language of the report: en or zh-CN (default: from $LANG).", HelpName = "language" };
        var report = new Option<FileInfo?>("--report") { Description = "Also write the whole report as JSON to this file.", HelpName = "file" };
        var command = new Command("rights", "Import rights (trademarks, patents, designs, copyrights, geographical indications, plant varieties) from CSV or JSON, upserting by jurisdiction, type and number.")
        {
            file, dryRun, skipInvalid, holder, apiKey, format, language, report, data, database,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            UseLanguage(parsed.GetValue(language));
            var path = parsed.GetValue(file)!;
            if (!path.Exists)
            {
                throw new FileNotFoundException("The file to import does not exist.", path.FullName);
            }

            var key = parsed.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("TRACEMARK_API_KEY");
            if (string.IsNullOrWhiteSpace(key))
            {
                await Console.Error.WriteLineAsync("tracemark: give an API key with --api-key or TRACEMARK_API_KEY (see 'tracemark import rights --help')");
                return CommandLine.UsageError;
            }

            var importFormat = (parsed.GetValue(format) ?? Path.GetExtension(path.Name).TrimStart('.')).ToLowerInvariant() switch
            {
                "json" => ImportFormat.Json,
                _ => ImportFormat.Csv,
            };

            await using var app = Server.Program.Build([.. CommonOptions.ToConfiguration(parsed, data, database)]);
            var settings = app.Services.GetRequiredService<TracemarkSettings>();
            if (settings.MigrateAtStartup)
            {
                await new Migrator(app.Services.GetRequiredService<DatabaseHost>().ConnectionString, ConsoleLogger.Instance).MigrateAsync(cancellationToken);
            }

            var caller = await CallerAsync(app.Services, key.Trim(), cancellationToken);
            await using var scope = app.Services.CreateAsyncScope();
            var importer = scope.ServiceProvider.GetRequiredService<RightImporter>();
            var options = new ImportOptions(parsed.GetValue(dryRun), parsed.GetValue(skipInvalid), parsed.GetValue(holder));
            ImportReport result;
            try
            {
                result = await RunWithProgressAsync(path, (stream, progress) => importer.ImportAsync(caller, stream, importFormat, null, options, progress, cancellationToken));
            }
            catch (InputValidationException invalid)
            {
                var problems = scope.ServiceProvider.GetRequiredService<Problems>();
                foreach (var error in invalid.Errors)
                {
                    await Console.Error.WriteLineAsync("tracemark: " + problems.FieldMessage(error));
                }

                return CommandLine.Failure;
            }

            Print(result);
            if (parsed.GetValue(report) is { } reportFile)
            {
                var json = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
                PlatformSetup.ConfigureJson(json);
                await File.WriteAllTextAsync(reportFile.FullName, JsonSerializer.Serialize(result, json), cancellationToken);
            }

            return result.Invalid > 0 ? InvalidRows : 0;
        });
        return command;
    }

    /// <summary>The organisation, role and scopes the key acts as, checked as the API checks it.</summary>
    private static async Task<Caller> CallerAsync(IServiceProvider services, string key, CancellationToken cancellationToken)
    {
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var (principal, failure) = await ApiKeyAuthenticationHandler.AuthenticateAsync(connection, key, now, "command line", cancellationToken);
        if (principal is null)
        {
            throw new AccessDeniedException(failure!, $"The API key was refused ({failure}).");
        }

        var caller = Caller.From(principal, "command line");
        return caller.CanWrite ? caller : throw new AccessDeniedException("auth.forbidden", "The API key may only read: importing needs the write scope.");
    }

    private static async Task<ImportReport> RunWithProgressAsync(FileInfo path, Func<Stream, IProgress<ImportProgress>, Task<ImportReport>> import)
    {
        await using var stream = new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        ImportReport? result = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"{path.Name}: reading", maxValue: Math.Max(path.Length, 1));
                result = await import(stream, new BarProgress(task, path.Name));
                task.Value = task.MaxValue;
            });
        return result!;
    }

    private static void Print(ImportReport report)
    {
        var table = new Table().AddColumns("", "");
        table.HideHeaders();
        table.AddRow("format", $"{report.Format} ({report.Encoding}{(report.Converted ? ", converted" : "")})");
        table.AddRow("rows", report.Rows.ToString(CultureInfo.InvariantCulture));
        table.AddRow("valid / invalid", $"{report.Valid.ToString(CultureInfo.InvariantCulture)} / {report.Invalid.ToString(CultureInfo.InvariantCulture)}");
        table.AddRow("created / changed / unchanged", $"{report.Created.ToString(CultureInfo.InvariantCulture)} / {report.Updated.ToString(CultureInfo.InvariantCulture)} / {report.Unchanged.ToString(CultureInfo.InvariantCulture)}");
        table.AddRow("written", $"{report.Written.ToString(CultureInfo.InvariantCulture)}{(report.DryRun ? " (dry run)" : report.Committed ? "" : " (nothing committed)")}");
        AnsiConsole.Write(table);
        if (report.Notice is not null)
        {
            AnsiConsole.WriteLine(report.Notice);
        }

        if (report.Errors.Count > 0)
        {
            var errors = new Table().AddColumns("line", "column", "problem");
            foreach (var error in report.Errors.Take(200))
            {
                errors.AddRow(error.Row.ToString(CultureInfo.InvariantCulture), Markup.Escape(error.Field), Markup.Escape(error.Message));
            }

            AnsiConsole.Write(errors);
            if (report.Errors.Count > 200 || report.ErrorsTruncated)
            {
                AnsiConsole.WriteLine($"… {(report.Invalid - 200).ToString(CultureInfo.InvariantCulture)} more invalid rows: see --report.");
            }
        }
    }

    private static void UseLanguage(string? requested)
    {
        var language = Languages.Match(requested ?? Environment.GetEnvironmentVariable("LANG")?.Split('.')[0].Replace('_', '-')) ?? Languages.English;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.DefaultThreadCurrentCulture = CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.GetCultureInfo(language);
    }

    /// <summary>Moves the bar by bytes read, and names the phase (reading, checking, writing).</summary>
    private sealed class BarProgress(ProgressTask task, string name) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            task.Value = Math.Min(value.BytesRead, task.MaxValue);
            task.Description = string.Create(CultureInfo.InvariantCulture, $"{name}: {value.Phase}, {value.Rows:N0} rows");
        }
    }
}
