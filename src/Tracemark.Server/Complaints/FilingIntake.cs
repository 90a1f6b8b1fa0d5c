using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Idempotency;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Complaints;

/// <summary>
/// Group commit for notices filed through the API. A request hands its filing (and its Idempotency-Key) to a
/// bounded queue; writers each take the filings waiting, up to <see cref="MaxBatch"/>, and file those of one caller
/// in one transaction with one statement per table and one commit (<see cref="NoticeStore.FileBatchAsync"/>), then
/// answer each request with its own notice or its own problem. When a batch's transaction fails as a whole, its
/// members are filed again one by one, each in its own transaction, so each still gets its own answer.
/// </summary>
public sealed class FilingIntake(
    IServiceScopeFactory scopes, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IConfiguration configuration, ILogger<FilingIntake> logger) : BackgroundService
{
    /// <summary>The most filings one transaction takes.</summary>
    public const int MaxBatch = 64;

    private readonly Channel<Queued> _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(4 * MaxBatch) { FullMode = BoundedChannelFullMode.Wait });
    // Callers are grouped by what their transaction is made of; the scopes were checked at the endpoint (and are a set, compared by reference).
    private static readonly IReadOnlySet<string> NoScopes = new HashSet<string>(StringComparer.Ordinal);

    private readonly SemaphoreSlim _open = new(1, 1);

    private long _batchesFiledOneByOne;
    private int _writersRunning;

    /// <summary>How many batches failed as a whole and were filed one by one (for tests: a batch that should hold did).</summary>
    internal long BatchesFiledOneByOne => Interlocked.Read(ref _batchesFiledOneByOne);

    /// <summary>For tests: how many writer threads are running.</summary>
    internal int WritersRunning => Volatile.Read(ref _writersRunning);

    /// <summary>For tests: how many filings wait in the queue.</summary>
    internal int Waiting => _queue.Reader.Count;

    /// <summary>
    /// How many writers take batches at once (<c>Complaints:IntakeWriters</c>, three unless set): while one writer's batch
    /// waits for PostgreSQL, another's is checked, screened and serialised, so the server's work and the database's
    /// overlap. More writers cost more CPU per filing (smaller batches) and paid only once a new notice's timer stopped
    /// being looked up again after its insert, whose cached plan grew five times as costly with two writers. Since then,
    /// on the 2-core machine of docs/benchmarks.md (issue 6), two filed more per second than one in seven of eight
    /// alternated pairs, three more than two in seven of eight, and four no more than three. Still a setting to measure with.
    /// </summary>
    public int Writers { get; } = Math.Max(1, configuration.GetValue("Complaints:IntakeWriters", 3));

    internal async Task<IdempotentAnswer> FileAsync(NewNotice input, Caller caller, IdempotencyTicket? ticket, CancellationToken cancellationToken)
    {
        var queued = new Queued(new BatchFiling(input, ticket), caller, CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        await _queue.Writer.WriteAsync(queued, cancellationToken);

        // Once queued, the filing is written whether or not its client is still there (as a request whose client left after the commit).
        return await queued.Answer.Task;
    }

    /// <summary>For tests: while held, filings wait in the queue, so that the next batch takes all of them.</summary>
    internal async Task<IAsyncDisposable> HoldAsync(CancellationToken cancellationToken)
    {
        await _open.WaitAsync(cancellationToken);
        return new Release(_open);
    }

    /// <summary>
    /// Each writer is a thread of its own that blocks on the queue and on its transaction's statements (a synchronous
    /// transaction, <see cref="Db.BeginAsync(Caller, bool, CancellationToken)"/>): PostgreSQL's answer to each of a
    /// batch's statements wakes the writer directly, where an awaited one waited for a thread-pool thread behind the
    /// requests' work, once per statement (docs/benchmarks.md, issue 6). The answers still run their requests'
    /// continuations on the pool.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(n => StartWriter(n, stoppingToken)));

    private Task StartWriter(int number, CancellationToken stoppingToken)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Interlocked.Increment(ref _writersRunning);
            try
            {
                Write(stoppingToken);
                ended.TrySetResult();
            }
            catch (Exception ex)
            {
                ended.TrySetException(ex);
            }
            finally
            {
                Interlocked.Decrement(ref _writersRunning);
            }
        })
        {
            IsBackground = true,
            Name = string.Create(CultureInfo.InvariantCulture, $"Filing intake writer {number}"),
        };
        thread.Start();
        return ended.Task;
    }

    private void Write(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var later = new List<Queued>();
        try
        {
            while (later.Count > 0 || WaitToRead(reader, stoppingToken))
            {
                var batch = new List<Queued>();
                var keys = new HashSet<(Guid, string, string)>();
                var waiting = later.ToList();
                later.Clear();

                // Drained under the lock that tests hold, so that one writer takes every filing that waited.
                _open.Wait(stoppingToken);
                try
                {
                    foreach (var queued in waiting)
                    {
                        Take(queued);
                    }

                    while (batch.Count < MaxBatch && reader.TryRead(out var queued))
                    {
                        Take(queued);
                    }
                }
                finally
                {
                    _open.Release();
                }

                try
                {
                    RunAsync(batch, stoppingToken).GetAwaiter().GetResult();
                }
                finally
                {
                    // Stopped in the middle of a batch: its requests end rather than wait (answered ones keep their answer).
                    foreach (var queued in batch)
                    {
                        queued.Answer.TrySetCanceled(stoppingToken);
                    }
                }

                // The second of two filings with one key runs after the first is committed: it then replays the first's answer
                // (or runs, when the first was refused), as a retry arriving later would.
                void Take(Queued queued)
                {
                    if (queued.Filing.Ticket is { } ticket && !keys.Add(ticket.Identity))
                    {
                        later.Add(queued);
                    }
                    else
                    {
                        batch.Add(queued);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        foreach (var queued in later)
        {
            queued.Answer.TrySetCanceled(stoppingToken);
        }

        // Stopped: filings still in the queue end rather than wait for a writer that is gone.
        while (reader.TryRead(out var queued))
        {
            queued.Answer.TrySetCanceled(stoppingToken);
        }
    }

    /// <summary>Blocks until a filing waits (true) or the queue is completed (false).</summary>
    private static bool WaitToRead(ChannelReader<Queued> reader, CancellationToken stoppingToken)
    {
        var wait = reader.WaitToReadAsync(stoppingToken);
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private async Task RunAsync(List<Queued> batch, CancellationToken stoppingToken)
    {
        // One transaction per caller (its role, organisation and clock are the transaction's), and per language of the answers.
        foreach (var group in batch.GroupBy(q => (Caller: q.Caller with { Scopes = NoScopes }, q.Culture.Name, UiCulture: q.UiCulture.Name)))
        {
            var members = group.ToList();
            CultureInfo.CurrentCulture = members[0].Culture;
            CultureInfo.CurrentUICulture = members[0].UiCulture;
            FilingOutcome[]? outcomes = null;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var services = scope.ServiceProvider;
                await using var tx = await services.GetRequiredService<Db>().BeginAsync(members[0].Caller, synchronous: true, genericPlans: true, stoppingToken);
                outcomes = await services.GetRequiredService<NoticeStore>().FileBatchAsync(
                    tx, members.Select(m => m.Filing).ToList(), services.GetRequiredService<IdempotencyAnswers>(), json.Value.SerializerOptions, stoppingToken);
                await tx.CommitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "A batch of {Count} filings failed; filing them one by one", members.Count);
                Interlocked.Increment(ref _batchesFiledOneByOne);
                outcomes = null;
            }

            if (outcomes is not null)
            {
                for (var i = 0; i < members.Count; i++)
                {
                    Complete(members[i], outcomes[i]);
                }

                continue;
            }

            foreach (var member in members)
            {
                Complete(member, await FileOneAsync(member, stoppingToken));
            }
        }
    }

    /// <summary>A filing in its own transaction (after its batch failed): its own answer, or its own problem.</summary>
    private async Task<FilingOutcome> FileOneAsync(Queued queued, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            await using var tx = await services.GetRequiredService<Db>().BeginAsync(queued.Caller, synchronous: true, genericPlans: true, stoppingToken);
            var outcome = (await services.GetRequiredService<NoticeStore>().FileBatchAsync(
                tx, [queued.Filing], services.GetRequiredService<IdempotencyAnswers>(), json.Value.SerializerOptions, stoppingToken))[0];
            if (outcome.Error is null)
            {
                await tx.CommitAsync(stoppingToken);
            }

            return outcome;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            if (ex is not TracemarkException)
            {
                logger.LogError(ex, "Filing a notice failed");
            }

            return new FilingOutcome(null, ex);
        }
    }

    private static void Complete(Queued queued, FilingOutcome outcome)
    {
        if (outcome.Answer is { } answer)
        {
            queued.Answer.TrySetResult(answer);
        }
        else
        {
            queued.Answer.TrySetException(outcome.Error ?? new InvalidOperationException("A filing ended without an answer."));
        }
    }

    private sealed class Queued(BatchFiling filing, Caller caller, CultureInfo culture, CultureInfo uiCulture)
    {
        public BatchFiling Filing { get; } = filing;

        public Caller Caller { get; } = caller;

        public CultureInfo Culture { get; } = culture;

        public CultureInfo UiCulture { get; } = uiCulture;

        public TaskCompletionSource<IdempotentAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Release(SemaphoreSlim open) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            open.Release();
            return ValueTask.CompletedTask;
        }
    }
}
