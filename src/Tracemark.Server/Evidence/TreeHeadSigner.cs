namespace Tracemark.Server.Evidence;

/// <summary>
/// Opens the evidence ledger before the server listens (so that a ledger that does not match the database stops
/// the start with one line), then signs a tree head whenever the log has grown: it looks every
/// <see cref="Interval"/> of the application's clock, well within the 10 seconds docs/ledger.md promises.
/// </summary>
public sealed class TreeHeadSigner(EvidenceLedger ledger, TimeProvider clock, ILogger<TreeHeadSigner> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>What a receipt request that came too early is told to wait.</summary>
    public const int RetryAfterSeconds = 2;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ledger.EnsureOpenAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ledger.SignPendingAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not stop the signing: the next pass signs the (larger) head.
                logger.LogError(ex, "Signing the ledger's tree head failed");
            }

            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
