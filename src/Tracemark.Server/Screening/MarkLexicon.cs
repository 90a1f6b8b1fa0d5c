using Dapper;
using Npgsql;
using Tracemark.Matching;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Screening;

public sealed record LexiconStatus(bool Ready, int Marks, int RiskTerms, int Words, DateTimeOffset? BuiltAt, DateTimeOffset? ChangedAt, long Changes);

/// <summary>
/// The marks of the rights registry, compiled for the screening engine and kept in memory. It is built
/// at start, then kept current by PostgreSQL notifications (a trigger on the rights table names what
/// changed, or asks for a full reload after a bulk change), so a changed mark is screened for within
/// moments on every server. After a lost connection it reloads in full, since notifications sent while
/// it was away are gone.
/// </summary>
public sealed partial class MarkLexicon(NpgsqlDataSource dataSource, TimeProvider clock, TracemarkSettings settings, ILogger<MarkLexicon> logger) : BackgroundService
{
    public const string Channel = "tracemark_marks";

    /// <summary>Rights that are screened for: marks and geographical indications that are (or may become) protected.</summary>
    private const string ActiveMarks = """
        SELECT id, name, name_zh, other_names, screening_exclusions FROM rights
        WHERE type IN ('trademark', 'geographical_indication')
          AND status IN ('registered', 'pending', 'opposed')
          AND (expires_on IS NULL OR expires_on >= @today)
        """;

    private readonly TaskCompletionSource<LiveLexicon> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _statusGate = new();
    private LexiconStatus _status = new(false, 0, 0, 0, null, null, 0);

    public LexiconStatus Status
    {
        get
        {
            lock (_statusGate)
            {
                return _status;
            }
        }
    }

    /// <summary>The live lexicon; waits for the first build (a few seconds at most for 100,000 marks).</summary>
    public Task<LiveLexicon> GetAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);

                // Pooled connections are not reset on reuse (see EmbeddedPostgres): this one stops listening before it goes back.
                await using var unlisten = new Unlisten(connection);
                var pending = new List<string>();
                connection.Notification += (_, e) =>
                {
                    lock (pending)
                    {
                        pending.Add(e.Payload);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Listening first, then loading: a change made during the load is applied after it, not lost.
                await ReloadAsync(stoppingToken);
                delay = TimeSpan.FromSeconds(1);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);

                    // Let a burst of changes arrive, then apply them together (Wait(0) would wait forever: 1 ms polls).
                    await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken);
                    while (connection.Wait(1))
                    {
                    }

                    string[] payloads;
                    lock (pending)
                    {
                        payloads = [.. pending];
                        pending.Clear();
                    }

                    await ApplyAsync(payloads, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                LogConnectionLost(logger, ex, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    private async Task ApplyAsync(string[] payloads, CancellationToken cancellationToken)
    {
        if (payloads.Length == 0)
        {
            return;
        }

        if (payloads.Contains("*", StringComparer.Ordinal) || !_ready.Task.IsCompleted)
        {
            await ReloadAsync(cancellationToken);
            return;
        }

        var ids = payloads.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(Guid.Parse).Distinct().ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<MarkRow>(new CommandDefinition(
            ActiveMarks + " AND id = ANY (@ids)",
            new { ids, today = Today() },
            cancellationToken: cancellationToken))).ToList();
        var upserted = rows.Select(r => r.ToMark()).ToList();
        var removed = ids.Select(i => i.ToString()).Except(upserted.Select(m => m.Id), StringComparer.Ordinal).ToList();
        var live = await _ready.Task;
        var lexicon = live.Apply(upserted, removed);
        Update(lexicon, rebuilt: false);
        LogApplied(logger, upserted.Count, removed.Count);
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await SeedRiskTermsAsync(connection, cancellationToken);
        var marks = (await connection.QueryAsync<MarkRow>(new CommandDefinition(ActiveMarks, new { today = Today() }, cancellationToken: cancellationToken)))
            .Select(r => r.ToMark())
            .ToList();
        var terms = (await connection.QueryAsync<(string Term, string Language)>(new CommandDefinition(
                "SELECT term, language FROM screening_risk_terms WHERE enabled",
                cancellationToken: cancellationToken)))
            .Select(t => new RiskTerm(t.Term, t.Language))
            .ToList();
        var lexicon = Lexicon.Build(marks, terms, Words);
        if (_ready.Task.IsCompleted)
        {
            (await _ready.Task).Replace(lexicon);
        }
        else
        {
            _ready.TrySetResult(new LiveLexicon(lexicon));
        }

        Update(lexicon, rebuilt: true);
        LogBuilt(logger, lexicon.MarkCount, terms.Count);
    }

    /// <summary>The first start writes the engine's built-in risk terms into the table, where administrators then keep them.</summary>
    private static async Task SeedRiskTermsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM screening_risk_terms)", cancellationToken: cancellationToken)))
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO screening_risk_terms (term, language) SELECT * FROM unnest(@terms, @languages) ON CONFLICT DO NOTHING",
            new { terms = RiskTerms.Default.Select(t => t.Term).ToArray(), languages = RiskTerms.Default.Select(t => t.Language).ToArray() },
            cancellationToken: cancellationToken));
    }

    private void Update(Lexicon lexicon, bool rebuilt)
    {
        lock (_statusGate)
        {
            var now = clock.GetUtcNow();
            _status = new LexiconStatus(
                true,
                lexicon.MarkCount,
                lexicon.RiskTerms.Count,
                lexicon.Words.Count,
                rebuilt ? now : _status.BuiltAt,
                now,
                _status.Changes + 1);
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>
    /// Ordinary English words are not lookalikes ("nice" is not "Nike"), nor a mistyped letter that spells a word of
    /// Spanish, French, Italian, German, Portuguese or Dutch ("Tiempo"): Debian's word lists, those installed; nor a
    /// word of the catalogue's vocabulary when the operator gives one (TRACEMARK_VOCABULARY). Read once, on the first build.
    /// </summary>
    private WordList Words => _words.Value;

    private readonly Lazy<WordList> _words = new(() => WordList.FromSystemDictionaries(vocabularyPaths: settings.VocabularyFiles));

    [LoggerMessage(Level = LogLevel.Information, Message = "Screening lexicon built: {Marks} marks, {Terms} risk terms")]
    private static partial void LogBuilt(ILogger logger, int marks, int terms);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Screening lexicon updated: {Upserted} marks changed, {Removed} removed")]
    private static partial void LogApplied(ILogger logger, int upserted, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Screening lost its database connection; retrying in {Seconds} s")]
    private static partial void LogConnectionLost(ILogger logger, Exception exception, double seconds);

    private sealed record MarkRow(Guid Id, string Name, string? NameZh, string[] OtherNames, string[] ScreeningExclusions)
    {
        public Mark ToMark()
        {
            var names = new List<string> { Name };
            if (!string.IsNullOrWhiteSpace(NameZh))
            {
                names.Add(NameZh);
            }

            names.AddRange(OtherNames.Where(n => !string.IsNullOrWhiteSpace(n)));
            return new Mark(Id.ToString(), names, ScreeningExclusions);
        }
    }

    private sealed class Unlisten(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                return;
            }

            try
            {
                await using var command = new NpgsqlCommand("UNLISTEN *", connection);
                await command.ExecuteNonQueryAsync();
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or TimeoutException)
            {
                // A broken connection is not returned to the pool; nothing to undo.
            }
        }
    }
}
