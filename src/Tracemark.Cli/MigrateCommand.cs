using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Tracemark.Server.Platform.Database;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Cli;

internal static class MigrateCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var database = CommonOptions.Database();
        var status = new Option<bool>("--status") { Description = "Only show which migrations are applied and which are pending." };
        var command = new Command("migrate", "Apply pending database migrations, in order, each in its own transaction; concurrent runs wait for each other.")
        {
            data, database, status,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = Settings.Read(CommonOptions.ToConfiguration(parsed, data, database));
            await using var host = await DatabaseHost.OpenAsync(settings, cancellationToken);
            var migrator = new Migrator(host.ConnectionString, NullLogger.Instance);
            if (parsed.GetValue(status))
            {
                var state = await migrator.InspectAsync(cancellationToken);
                foreach (var migration in state.Applied)
                {
                    Console.WriteLine($"applied  {migration.Label}");
                }

                foreach (var migration in state.Pending)
                {
                    Console.WriteLine($"pending  {migration.Label}");
                }

                return state.Pending.Count == 0 ? 0 : 3;
            }

            var applied = await migrator.MigrateAsync(cancellationToken);
            foreach (var migration in applied)
            {
                Console.WriteLine($"applied  {migration.Label}");
            }

            Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied {applied.Count} migration(s).");
            return 0;
        });
        return command;
    }
}

internal static class Settings
{
    /// <summary>The server's settings from environment variables overridden by command-line configuration arguments.</summary>
    public static TracemarkSettings Read(IEnumerable<string> arguments)
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine([.. arguments])
            .Build();
        return TracemarkSettings.From(configuration);
    }
}

internal sealed class ConsoleLogger : ILogger
{
    public static readonly ConsoleLogger Instance = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine(formatter(state, exception));
        }
    }
}
