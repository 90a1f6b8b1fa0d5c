using System.CommandLine;
using Tracemark.Server.Platform.Database;
using Tracemark.Server.Platform.Demo;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Cli;

internal static class DemoCommand
{
    public static Command Create()
    {
        var data = CommonOptions.Data();
        var database = CommonOptions.Database();
        var force = new Option<bool>("--force") { Description = "Run every demo seeder again even if the demo data set is already loaded (they upsert, nothing is doubled)." };
        var command = new Command("demo", "Load the demo organisations, users, API keys and records (idempotent) and write demo-credentials.json into the data folder.")
        {
            data, database, force,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var arguments = CommonOptions.ToConfiguration(parsed, data, database);
            arguments.Add("--Tracemark:Demo=true");
            await using var app = Server.Program.Build([.. arguments]);
            var host = app.Services.GetRequiredService<DatabaseHost>();
            var settings = app.Services.GetRequiredService<TracemarkSettings>();
            await new Migrator(host.ConnectionString, ConsoleLogger.Instance).MigrateAsync(cancellationToken);
            var loaded = await app.Services.GetRequiredService<DemoLoader>().LoadAsync(cancellationToken, parsed.GetValue(force));
            Console.WriteLine(loaded ? "Demo data loaded." : "Demo data already loaded (use --force to load it again).");
            var credentials = Path.Combine(settings.DataFolder, "demo-credentials.json");
            if (File.Exists(credentials))
            {
                Console.WriteLine($"Demo credentials: {credentials}");
            }

            return 0;
        });
        return command;
    }
}
