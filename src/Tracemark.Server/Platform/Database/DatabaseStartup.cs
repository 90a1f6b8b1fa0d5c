using Tracemark.Server.Platform.Demo;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Database;

/// <summary>
/// Runs before the server accepts requests: brings the schema up to date (or refuses to start when it
/// is not and migrating at startup is off), then loads the demo data when asked.
/// </summary>
internal sealed class DatabaseStartup(DatabaseHost database, TracemarkSettings settings, DemoLoader demo, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var migrator = new Migrator(database.ConnectionString, logger);
        if (settings.MigrateAtStartup)
        {
            var applied = await migrator.MigrateAsync(cancellationToken);
            if (applied.Count > 0)
            {
                logger.LogInformation("Applied {Count} migration(s), now at {Label}", applied.Count, applied[^1].Label);
            }
        }
        else
        {
            var status = await migrator.InspectAsync(cancellationToken);
            if (status.Pending.Count > 0)
            {
                throw new StartupException($"the database needs {status.Pending.Count} migration(s) (first: {status.Pending[0].Label}): run 'tracemark migrate', or set TRACEMARK_MIGRATE=true");
            }
        }

        if (settings.Demo)
        {
            await demo.LoadAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
