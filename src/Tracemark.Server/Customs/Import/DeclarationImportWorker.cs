using Npgsql;

namespace Tracemark.Server.Customs.Import;

/// <summary>
/// Runs queued declaration imports on this server, one at a time (each import already uses every core). It
/// wakes when this server queues a job and otherwise looks every few seconds, which is how it finds jobs
/// queued on other servers and jobs whose worker stopped (a crash, a restart): those it takes over and runs
/// again from the start, which stores nothing twice.
/// </summary>
public sealed class DeclarationImportWorker(IServiceScopeFactory scopes, DeclarationImportSignal signal, ILogger<DeclarationImportWorker> logger) : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var ran = false;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var importer = scope.ServiceProvider.GetRequiredService<DeclarationImporter>();
                if (await importer.ClaimAsync(stoppingToken) is { } job)
                {
                    ran = true;
                    await importer.RunAsync(job, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                // The database (or the data folder) is away for a moment: the job stays queued and the next pass tries again.
                logger.LogWarning(ex, "The declarations import worker could not run a pass");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A worker that dies would leave every later import queued: log it and keep going.
                logger.LogError(ex, "The declarations import worker failed a pass");
            }

            if (ran)
            {
                continue;
            }

            try
            {
                await signal.WaitAsync(PollEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
