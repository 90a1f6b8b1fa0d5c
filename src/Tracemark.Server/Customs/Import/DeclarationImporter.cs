using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Tracemark.Core.Customs;
using Tracemark.Core.Errors;
using Tracemark.Core.Organisations;
using Tracemark.Core.Rights;
using Tracemark.Matching;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Hosting;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Rights.Import;
using Tracemark.Server.Screening;

namespace Tracemark.Server.Customs.Import;

/// <summary>A job claimed by a worker.</summary>
public sealed record ClaimedImport(Guid Id, Guid OwnerOrgId, string Format, string? Charset, bool SkipInvalid, long Bytes, int Attempts, Guid? CreatedBy);

/// <summary>
/// Runs one declarations import: the file is read as a stream and each row checked (Core's rules); valid lines
/// go in batches to as many screening workers as there are cores, which screen the brand and the description with
/// the live lexicon, check once per batch which hit marks the customs organisation may see, and score each line;
/// scored lines stream into a temporary staging table with PostgreSQL COPY (binary). Set-based checks then find
/// line numbers used twice in the file and lines already stored (the same content is skipped, different content
/// is an error), and one INSERT stores the rest. It is all one transaction with the job's final state: every
/// valid line is stored, or none is, and running a job again (after a crash, or the same file twice) stores
/// nothing twice.
/// </summary>
public sealed class DeclarationImporter(Db db, MarkLexicon marks, TimeProvider clock, TracemarkSettings settings, ILogger<DeclarationImporter> logger)
{
    public const int MaxReportedErrors = 10_000;
    public const int MaxAttempts = 3;

    /// <summary>A worker that stopped updating its job for this long is presumed gone; another takes the job over.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private const int BatchSize = 1_000;
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(2);
    private static readonly JsonSerializerOptions ReasonJson = new(JsonSerializerDefaults.Web);

    private const string StagingDefinition = """
        file_line integer NOT NULL, id uuid NOT NULL, declaration_number text NOT NULL, line_no integer NOT NULL, declared_on date NOT NULL,
        transport_mode text NOT NULL, importer text, exporter text, consignor text, consignee text, origin char(2) NOT NULL,
        destination char(2) NOT NULL, port text NOT NULL, hs_code text NOT NULL, description text NOT NULL, brand text, quantity numeric(18, 3) NOT NULL,
        unit text NOT NULL, value numeric(20, 2) NOT NULL, currency char(3) NOT NULL, gross_kg numeric(14, 3), container_ids text[] NOT NULL,
        parcel_ids text[] NOT NULL, risk_score smallint NOT NULL, reasons jsonb, right_ids uuid[] NOT NULL, holder_org_ids uuid[] NOT NULL
        """;

    // What a line says (not what screening made of it): two imports of the same line agree on these or conflict.
    private static readonly string[] ContentColumns =
    [
        "declared_on", "transport_mode", "importer", "exporter", "consignor", "consignee", "origin", "destination", "port", "hs_code", "description",
        "brand", "quantity", "unit", "value", "currency", "gross_kg", "container_ids", "parcel_ids",
    ];

    private static readonly string LineColumns = "id, declaration_number, line_no, " + string.Join(", ", ContentColumns) + ", risk_score, reasons, right_ids, holder_org_ids";

    private static readonly string SameContent =
        $"({string.Join(", ", ContentColumns.Select(c => "l." + c))}) IS NOT DISTINCT FROM ({string.Join(", ", ContentColumns.Select(c => "s." + c))})";

    private static string WorkerName { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");

    /// <summary>Takes the oldest queued job, or one whose worker went quiet; null when there is none.</summary>
    public async Task<ClaimedImport?> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var job = await tx.QuerySingleOrDefaultAsync<ClaimedImport>(
            """
            UPDATE customs_imports SET status = 'running', phase = 'reading', attempts = attempts + 1, worker = @worker, heartbeat_at = @now,
                started_at = coalesce(started_at, @now), bytes_read = 0, rows_read = 0
            WHERE id = (SELECT id FROM customs_imports
                        WHERE status = 'queued' OR (status = 'running' AND heartbeat_at < @stale)
                        ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, owner_org_id, format, charset, skip_invalid, bytes, attempts, created_by
            """,
            new { worker = WorkerName, now, stale = now - StaleAfter },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return job;
    }

    /// <summary>Runs a claimed job to its end (done, refused or failed), or leaves it queued for another attempt after an unexpected error.</summary>
    public async Task RunAsync(ClaimedImport job, CancellationToken cancellationToken)
    {
        var progress = new RunProgress();
        using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = HeartbeatAsync(job.Id, progress, beat.Token);
        string? terminal = null;
        try
        {
            terminal = await ImportAsync(job, progress, beat, heartbeat, cancellationToken);
        }
        catch (InputValidationException ex)
        {
            // The file as a whole cannot be read (header, encoding, not JSON): nothing of it is stored.
            await beat.CancelAsync();
            await heartbeat;
            await FinishAsync(job.Id, "refused", fileError: StoredProblem.From(0, ex.Errors[0]), failure: null);
            terminal = "refused";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await beat.CancelAsync();
            await heartbeat;
            var final = job.Attempts >= MaxAttempts;
            logger.LogWarning(ex, "Declarations import {Id} failed (attempt {Attempt} of {Max})", job.Id, job.Attempts, MaxAttempts);
            await FinishAsync(job.Id, final ? "failed" : "queued", fileError: null, failure: ex.Message);
            terminal = final ? "failed" : null;
        }
        finally
        {
            await beat.CancelAsync();
            await heartbeat;
        }

        if (terminal is not null)
        {
            File.Delete(DeclarationImports.SpoolPath(settings.DataFolder, job.Id));
        }
    }

    private async Task<string?> ImportAsync(ClaimedImport job, RunProgress progress, CancellationTokenSource beat, Task heartbeat, CancellationToken cancellationToken)
    {
        var caller = await CallerAsync(job, cancellationToken);
        await using var tx = await db.BeginAsync(caller, cancellationToken);

        // One import per organisation at a time (two files with the same line must not both find it new), and a job
        // taken over from a worker presumed gone is run only if that worker did not finish it after all.
        await Execute(tx, "SELECT pg_advisory_xact_lock(hashtext('tracemark.customs_import'), hashtext(@org::text))", new { org = job.OwnerOrgId }, cancellationToken);
        var current = await tx.QuerySingleOrDefaultAsync<(string Status, string? Worker)>(
            "SELECT status, worker FROM customs_imports WHERE id = @Id", new { job.Id }, cancellationToken);
        if (current.Status != "running" || current.Worker != WorkerName)
        {
            return null;
        }

        var path = DeclarationImports.SpoolPath(settings.DataFolder, job.Id);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var counting = new CountingStream(file);
        progress.Bytes = counting;
        var sample = new byte[TextDecoding.SampleSize];
        var sampled = await counting.ReadAtLeastAsync(sample, sample.Length, throwOnEndOfStream: false, cancellationToken);
        var encoding = TextDecoding.Detect(sample.AsSpan(0, sampled), sampled < sample.Length, job.Charset);
        var json = job.Format == "json";
        DeclarationReader.CheckLooksLike(json, sample.AsSpan(0, sampled), encoding);
        Stream content = new PrefixedStream(sample, sampled, counting);

        var context = await ScoringContextAsync(tx, job.OwnerOrgId, cancellationToken);
        var lexicon = await marks.GetAsync(cancellationToken);
        using var facts = new RightFactsCache(db, caller);
        var report = new RunReport();

        await Execute(tx, $"CREATE TEMP TABLE customs_staging ({StagingDefinition}) ON COMMIT DROP", null, cancellationToken);
        var rows = json ? DeclarationReader.ReadJsonAsync(content, encoding, cancellationToken) : DeclarationReader.ReadCsvAsync(content, encoding, cancellationToken);
        await StageAsync(tx, rows, report, progress, lexicon, facts, context, cancellationToken);

        progress.Phase = "checking";
        await Execute(tx, "CREATE INDEX ON customs_staging (declaration_number, line_no); ANALYZE customs_staging", null, cancellationToken);
        var alreadyStored = await CheckAgainstStoredAsync(tx, job.OwnerOrgId, report, cancellationToken);

        var refused = report.Invalid > 0 && !job.SkipInvalid;
        var written = 0;
        var flagged = 0;
        var now = clock.GetUtcNow();
        if (!refused)
        {
            progress.Phase = "writing";
            flagged = await tx.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*)::int FROM customs_staging WHERE risk_score > 0", transaction: tx.Transaction, commandTimeout: 0, cancellationToken: cancellationToken));
            written = await Execute(
                tx,
                $"""
                INSERT INTO customs_lines (owner_org_id, import_id, created_at, {LineColumns})
                SELECT @org, @importId, @now, {LineColumns} FROM customs_staging
                """,
                new { org = job.OwnerOrgId, importId = job.Id, now },
                cancellationToken);
        }

        // The heartbeat writes the same row: stop it before the final state is written in this transaction.
        await beat.CancelAsync();
        await heartbeat;
        var status = refused ? "refused" : "done";
        await tx.ExecuteAsync(
            """
            UPDATE customs_imports SET status = @status, phase = 'finished', encoding = @encoding, converted = @converted, rows = @Rows, valid = @valid,
                invalid = @Invalid, written = @written, already_stored = @alreadyStored, flagged = @flagged, errors = @errors::jsonb,
                errors_truncated = @Truncated, bytes_read = bytes, rows_read = @Rows, heartbeat_at = @now, finished_at = @now, failure = NULL
            WHERE id = @id
            """,
            new
            {
                id = job.Id,
                status,
                encoding = encoding.Name,
                converted = encoding.Converted,
                report.Rows,
                valid = report.Valid,
                report.Invalid,
                written,
                alreadyStored,
                flagged,
                errors = JsonSerializer.Serialize(report.Problems.OrderBy(p => p.Row).ThenBy(p => p.Field, StringComparer.Ordinal), StoredProblem.Json),
                report.Truncated,
                now,
            },
            cancellationToken);
        await tx.AuditAsync(
            "customs.import",
            "customs_import",
            job.Id.ToString(),
            job.OwnerOrgId,
            detail: new { status, report.Rows, valid = report.Valid, report.Invalid, written, alreadyStored, flagged, guidesRead = facts.GuidesRead },
            cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return status;
    }

    /// <summary>Reads, checks, screens, scores and copies into the staging table, with the screening spread over the cores.</summary>
    private static async Task StageAsync(
        DbTx tx,
        IAsyncEnumerable<DeclarationRow> rows,
        RunReport report,
        RunProgress progress,
        LiveLexicon lexicon,
        RightFactsCache facts,
        ScoringContext context,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parsed = Channel.CreateBounded<List<(int FileLine, DeclarationLine Line)>>(new BoundedChannelOptions(4) { SingleWriter = true });
        var scored = Channel.CreateBounded<List<ScoredLine>>(new BoundedChannelOptions(4) { SingleReader = true });

        var reader = Task.Run(
            async () =>
            {
                try
                {
                    var batch = new List<(int, DeclarationLine)>(BatchSize);
                    await foreach (var row in rows.WithCancellation(stop.Token))
                    {
                        report.Rows++;
                        progress.Rows = report.Rows;
                        var rules = new FieldRules();
                        foreach (var problem in row.Problems)
                        {
                            rules.Add(problem.Field, problem.Code, problem.Args);
                        }

                        var line = row.Input is null ? null : DeclarationLines.Validate(rules, row.Input);
                        if (rules.HasErrors || line is null)
                        {
                            report.Reject(row.FileLine, rules.Errors);
                            continue;
                        }

                        report.Valid++;
                        batch.Add((row.FileLine, line));
                        if (batch.Count == BatchSize)
                        {
                            await parsed.Writer.WriteAsync(batch, stop.Token);
                            batch = new List<(int, DeclarationLine)>(BatchSize);
                        }
                    }

                    if (batch.Count > 0)
                    {
                        await parsed.Writer.WriteAsync(batch, stop.Token);
                    }
                }
                finally
                {
                    parsed.Writer.Complete();
                }
            },
            stop.Token);

        var scorers = Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount))
            .Select(_ => Task.Run(
                async () =>
                {
                    await foreach (var batch in parsed.Reader.ReadAllAsync(stop.Token))
                    {
                        await scored.Writer.WriteAsync(await ScoreAsync(batch, lexicon.Current, facts, context, stop.Token), stop.Token);
                    }
                },
                stop.Token))
            .ToArray();
        var scoring = Task.WhenAll(scorers).ContinueWith(t => scored.Writer.Complete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        try
        {
            await using (var copy = await tx.Connection.BeginBinaryImportAsync($"COPY customs_staging (file_line, {LineColumns}) FROM STDIN (FORMAT BINARY)", stop.Token))
            {
                await foreach (var batch in scored.Reader.ReadAllAsync(stop.Token))
                {
                    foreach (var line in batch)
                    {
                        await WriteAsync(copy, line, stop.Token);
                    }
                }

                await copy.CompleteAsync(stop.Token);
            }

            await reader;
            await Task.WhenAll(scorers);
            await scoring;
        }
        catch
        {
            await stop.CancelAsync();

            // The reader's own error (a bad header, an unreadable file) says more than the cancellation it caused downstream.
            try
            {
                await reader;
            }
            catch (InputValidationException)
            {
                throw;
            }
            catch (Exception)
            {
                // Reported below.
            }

            throw;
        }
    }

    private static async Task<List<ScoredLine>> ScoreAsync(List<(int FileLine, DeclarationLine Line)> batch, Lexicon lexicon, RightFactsCache facts, ScoringContext context, CancellationToken cancellationToken)
    {
        var screened = new List<(int FileLine, DeclarationLine Line, List<LineHit> Hits)>(batch.Count);
        var rightIds = new HashSet<Guid>();
        var found = new List<ScreeningHit>();
        foreach (var (fileLine, line) in batch)
        {
            var hits = new List<LineHit>();
            if (line.Brand is { } brand)
            {
                found.Clear();
                lexicon.Screen(brand, ScreeningMode.Full, found);
                hits.AddRange(found.Select(h => Hit(HitField.Brand, h)));
            }

            found.Clear();
            lexicon.Screen(line.Description, ScreeningMode.Full, found);
            hits.AddRange(found.Select(h => Hit(HitField.Description, h)));
            foreach (var hit in hits)
            {
                if (hit.RightId is { } id)
                {
                    rightIds.Add(id);
                }
            }

            screened.Add((fileLine, line, hits));
        }

        // Which hit marks this organisation may see, and what it knows about them: one query round per batch at most.
        await facts.EnsureAsync(rightIds, cancellationToken);
        return screened.Select(s => new ScoredLine(s.FileLine, s.Line, RiskScoring.Assess(s.Line, s.Hits, facts.Get, context))).ToList();
    }

    private static LineHit Hit(HitField field, ScreeningHit hit) => new(
        field, hit.MarkId is null ? null : Guid.Parse(hit.MarkId), hit.Mark, hit.Matched, hit.Kind == HitKind.Exact, hit.Score);

    private static async Task WriteAsync(NpgsqlBinaryImporter copy, ScoredLine scored, CancellationToken cancellationToken)
    {
        var line = scored.Line;
        var risk = scored.Risk;
        await copy.StartRowAsync(cancellationToken);
        await copy.WriteAsync(scored.FileLine, NpgsqlDbType.Integer, cancellationToken);
        await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, cancellationToken);
        await copy.WriteAsync(line.DeclarationNumber, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(line.Line, NpgsqlDbType.Integer, cancellationToken);
        await copy.WriteAsync(line.Date, NpgsqlDbType.Date, cancellationToken);
        await copy.WriteAsync(line.Mode.ToWire(), NpgsqlDbType.Text, cancellationToken);
        await Text(copy, line.Importer, cancellationToken);
        await Text(copy, line.Exporter, cancellationToken);
        await Text(copy, line.Consignor, cancellationToken);
        await Text(copy, line.Consignee, cancellationToken);
        await copy.WriteAsync(line.Origin, NpgsqlDbType.Char, cancellationToken);
        await copy.WriteAsync(line.Destination, NpgsqlDbType.Char, cancellationToken);
        await copy.WriteAsync(line.Port, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(line.HsCode.Digits, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(line.Description, NpgsqlDbType.Text, cancellationToken);
        await Text(copy, line.Brand, cancellationToken);
        await copy.WriteAsync(line.Quantity, NpgsqlDbType.Numeric, cancellationToken);
        await copy.WriteAsync(line.Unit, NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(line.Value, NpgsqlDbType.Numeric, cancellationToken);
        await copy.WriteAsync(line.Currency, NpgsqlDbType.Char, cancellationToken);
        if (line.GrossKg is { } kg)
        {
            await copy.WriteAsync(kg, NpgsqlDbType.Numeric, cancellationToken);
        }
        else
        {
            await copy.WriteNullAsync(cancellationToken);
        }

        await copy.WriteAsync(line.Containers.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync(line.Parcels.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
        await copy.WriteAsync((short)risk.Score, NpgsqlDbType.Smallint, cancellationToken);
        if (risk.Reasons.Count == 0)
        {
            await copy.WriteNullAsync(cancellationToken);
        }
        else
        {
            await copy.WriteAsync(JsonSerializer.Serialize(risk.Reasons, ReasonJson), NpgsqlDbType.Jsonb, cancellationToken);
        }

        await copy.WriteAsync(risk.RightIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid, cancellationToken);
        await copy.WriteAsync(risk.HolderIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Uuid, cancellationToken);
    }

    private static Task Text(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    /// <summary>
    /// The checks one line cannot make alone: a line number used twice in the file (every such line is reported,
    /// naming the others), and lines already stored: the same content is skipped, different content is an error.
    /// Returns how many were already stored.
    /// </summary>
    private static async Task<int> CheckAgainstStoredAsync(DbTx tx, Guid org, RunReport report, CancellationToken cancellationToken)
    {
        var duplicates = await tx.Connection.QueryAsync<(string Number, int Line, int[] FileLines)>(new CommandDefinition(
            """
            SELECT declaration_number, line_no, array_agg(file_line ORDER BY file_line) FROM customs_staging
            GROUP BY declaration_number, line_no HAVING count(*) > 1
            """,
            transaction: tx.Transaction,
            commandTimeout: 0,
            cancellationToken: cancellationToken));
        var rejected = 0;
        foreach (var (number, line, fileLines) in duplicates)
        {
            foreach (var fileLine in fileLines)
            {
                report.Reject(fileLine, [new FieldError("line", "customs.duplicate_line", number, line, string.Join(", ", fileLines.Where(l => l != fileLine).Take(5)))]);
                rejected++;
            }
        }

        if (rejected > 0)
        {
            await Execute(
                tx,
                """
                DELETE FROM customs_staging s USING (
                    SELECT declaration_number, line_no FROM customs_staging GROUP BY declaration_number, line_no HAVING count(*) > 1) d
                WHERE s.declaration_number = d.declaration_number AND s.line_no = d.line_no
                """,
                null,
                cancellationToken);
        }

        var alreadyStored = await Execute(
            tx,
            $"""
            DELETE FROM customs_staging s USING customs_lines l
            WHERE l.owner_org_id = @org AND l.declaration_number = s.declaration_number AND l.line_no = s.line_no
              AND {SameContent}
            """,
            new { org },
            cancellationToken);

        var conflicts = (await tx.Connection.QueryAsync<(int FileLine, string Number, int Line)>(new CommandDefinition(
            """
            SELECT s.file_line, s.declaration_number, s.line_no FROM customs_staging s
            JOIN customs_lines l ON l.owner_org_id = @org AND l.declaration_number = s.declaration_number AND l.line_no = s.line_no
            """,
            new { org },
            tx.Transaction,
            commandTimeout: 0,
            cancellationToken: cancellationToken))).ToList();
        foreach (var (fileLine, number, line) in conflicts)
        {
            report.Reject(fileLine, [new FieldError("line", "customs.line_conflict", number, line)]);
        }

        if (conflicts.Count > 0)
        {
            await Execute(tx, "DELETE FROM customs_staging WHERE file_line = ANY (@lines)", new { lines = conflicts.Select(c => c.FileLine).ToArray() }, cancellationToken);
        }

        report.Valid -= rejected + conflicts.Count;
        return alreadyStored;
    }

    private async Task<Caller> CallerAsync(ClaimedImport job, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var organisation = await tx.QuerySingleAsync<(string Kind, bool IsLocal)>(
            "SELECT o.kind, n.is_local FROM organisations o JOIN nodes n ON n.id = o.node_id WHERE o.id = @OwnerOrgId", job, cancellationToken);
        await tx.CommitAsync(cancellationToken);

        // The job acts for the officer who uploaded it, with the rights an officer has: what that organisation may see, it scores with.
        return new Caller
        {
            OrganisationId = job.OwnerOrgId,
            OrganisationKind = OrganisationKinds.Parse(organisation.Kind),
            OrganisationIsLocal = organisation.IsLocal,
            UserId = job.CreatedBy,
            Role = Core.Accounts.Role.Officer,
        };
    }

    private static async Task<ScoringContext> ScoringContextAsync(DbTx tx, Guid org, CancellationToken cancellationToken)
    {
        var country = await tx.QuerySingleAsync<string>("SELECT country FROM organisations WHERE id = @org", new { org }, cancellationToken);
        return new ScoringContext(org, country, await RateStore.LoadAsync(tx, cancellationToken));
    }

    private async Task HeartbeatAsync(Guid id, RunProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(HeartbeatEvery, cancellationToken);
                await using var tx = await db.BeginSystemAsync(cancellationToken);
                await tx.ExecuteAsync(
                    "UPDATE customs_imports SET heartbeat_at = @now, bytes_read = @bytes, rows_read = @rows, phase = @phase WHERE id = @id AND worker = @worker AND status = 'running'",
                    new { id, now = clock.GetUtcNow(), bytes = progress.Bytes?.BytesRead ?? 0, rows = progress.Rows, phase = progress.Phase, worker = WorkerName },
                    cancellationToken);
                await tx.CommitAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The import ended.
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(ex, "Import {Id}: progress could not be saved; the import goes on", id);
        }
    }

    /// <summary>Writes a job's end (or its return to the queue) even while the server stops: a job must not stay "running" for a worker that is gone.</summary>
    private async Task FinishAsync(Guid id, string status, StoredProblem? fileError, string? failure)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginSystemAsync(CancellationToken.None);
        await tx.ExecuteAsync(
            """
            UPDATE customs_imports SET status = @status, phase = CASE WHEN @status = 'queued' THEN 'queued' ELSE 'finished' END,
                file_error = @fileError::jsonb, failure = left(@failure, 2000), heartbeat_at = @now,
                finished_at = CASE WHEN @status = 'queued' THEN NULL ELSE @now END, worker = CASE WHEN @status = 'queued' THEN NULL ELSE worker END
            WHERE id = @id AND worker = @worker
            """,
            new { id, status, fileError = fileError is null ? null : JsonSerializer.Serialize(fileError, StoredProblem.Json), failure, now, worker = WorkerName },
            CancellationToken.None);
        await tx.AuditAsync("customs.import." + status, "customs_import", id.ToString(), detail: new { failure, fileError?.Code }, cancellationToken: CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
    }

    private static Task<int> Execute(DbTx tx, string sql, object? parameters, CancellationToken cancellationToken) =>
        tx.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, tx.Transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    private sealed record ScoredLine(int FileLine, DeclarationLine Line, RiskAssessment Risk);

    /// <summary>Where a running import is, for the heartbeat that publishes it.</summary>
    private sealed class RunProgress
    {
        private int _rows;

        public CountingStream? Bytes { get; set; }

        public int Rows
        {
            get => Volatile.Read(ref _rows);
            set => Volatile.Write(ref _rows, value);
        }

        public string Phase { get; set; } = "reading";
    }

    /// <summary>Counts and problems of one import; problems beyond <see cref="MaxReportedErrors"/> are counted, not kept.</summary>
    private sealed class RunReport
    {
        private readonly HashSet<int> _invalidLines = [];

        public int Rows { get; set; }

        public int Valid { get; set; }

        public int Invalid => _invalidLines.Count;

        public List<StoredProblem> Problems { get; } = [];

        public bool Truncated { get; private set; }

        public void Reject(int line, IEnumerable<FieldError> errors)
        {
            _invalidLines.Add(line);
            foreach (var error in errors)
            {
                if (Problems.Count >= MaxReportedErrors)
                {
                    Truncated = true;
                    return;
                }

                Problems.Add(StoredProblem.From(line, error));
            }
        }
    }
}
