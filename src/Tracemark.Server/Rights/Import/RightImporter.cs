using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Localization;
using Npgsql;
using Tracemark.Core.Errors;
using Tracemark.Core.Rights;
using Tracemark.Core.Sharing;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Export;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Rights.Import;

public enum ImportFormat
{
    Csv,
    Json,
}

/// <summary>What to do: <see cref="DryRun"/> checks and counts but writes nothing; <see cref="SkipInvalid"/> writes the valid rows even when others are invalid (otherwise one invalid row means nothing is written).</summary>
public sealed record ImportOptions(bool DryRun = false, bool SkipInvalid = false, Guid? HolderId = null);

/// <summary>One problem with one row: the file's line it starts on (the header is line 1), the column, and what is wrong, in the reader's language.</summary>
public sealed record ImportProblem(int Row, string Field, string Code, string Message);

/// <summary>
/// The answer to an import. <see cref="Written"/> is how many rights were created or changed (0 when
/// nothing was committed); re-importing the same file writes nothing.
/// </summary>
public sealed record ImportReport(
    string Format,
    string Encoding,
    bool Converted,
    bool DryRun,
    bool Committed,
    int Rows,
    int Valid,
    int Invalid,
    int Written,
    int Created,
    int Updated,
    int Unchanged,
    IReadOnlyList<ImportProblem> Errors,
    bool ErrorsTruncated,
    Guid? ImportId,
    string? Notice,
    ImportTimings Timings);

/// <summary>Where an import's time went, in milliseconds: reading and copying rows, the set-based checks, the upsert.</summary>
public sealed record ImportTimings(long Reading, long Checking, long Writing);

/// <summary>Where an import is, for progress bars.</summary>
public sealed record ImportProgress(string Phase, long BytesRead, int Rows);

/// <summary>
/// Bulk import of rights from CSV or JSON, streamed: each row is checked as it is read and valid rows are
/// copied (PostgreSQL COPY, binary) into a temporary staging table; set-based checks then find duplicates
/// within the file, numbers another holder recorded, and conflicts with recorded rights; one UPDATE and
/// one INSERT then upsert by (jurisdiction, type, number), writing only rows whose content changes. All
/// of it is one transaction: every valid row is written, or nothing is.
/// </summary>
/// <remarks>
/// Re-importing leaves a recorded value alone when the file's cell is empty (clearing a field is done on the
/// right's page or through the API), so an import with fewer columns never erases what others recorded.
/// </remarks>
public sealed class RightImporter(Db db, TimeProvider clock, IStringLocalizer<ErrorText> errorText, NotificationOutbox outbox, ILogger<RightImporter> logger)
{
    /// <summary>Columns of the CSV, in the order exports write them.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "type", "form", "jurisdiction", "number", "application_number", "name", "name_zh", "other_names", "classes", "goods",
        "filed", "registered", "expires", "status", "area", "product", "species", "description", "distribution",
    ];

    /// <summary>Columns every CSV must have (cells may be empty where the right has no value).</summary>
    public static readonly IReadOnlyList<string> RequiredCsvColumns = ["type", "jurisdiction", "number", "name", "name_zh", "classes", "filed", "registered", "expires", "status"];

    public const int MaxReportedErrors = 10_000;

    // Header names as Chinese spreadsheets write them.
    private static readonly Dictionary<string, string> ChineseColumns = new(StringComparer.Ordinal)
    {
        ["类型"] = "type",
        ["权利类型"] = "type",
        ["形式"] = "form",
        ["法域"] = "jurisdiction",
        ["国家/地区"] = "jurisdiction",
        ["号码"] = "number",
        ["注册号"] = "number",
        ["申请号"] = "application_number",
        ["名称"] = "name",
        ["中文名称"] = "name_zh",
        ["其他名称"] = "other_names",
        ["类别"] = "classes",
        ["尼斯分类"] = "classes",
        ["商品/服务"] = "goods",
        ["申请日"] = "filed",
        ["注册日"] = "registered",
        ["到期日"] = "expires",
        ["状态"] = "status",
        ["产地范围"] = "area",
        ["产品"] = "product",
        ["植物种类"] = "species",
        ["说明"] = "description",
        ["共享范围"] = "distribution",
    };

    private static readonly char[] NameSeparators = [';', '；', '|'];

    private static readonly JsonSerializerOptions ItemJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private const string StagingColumns = """
        line, id, type, form, form_given, jurisdiction, number, number_key, application_number, name, name_zh, other_names, name_folded,
        name_zh_folded, other_names_folded, classes, goods, filed_on, registered_on, expires_on, status, status_given, area, product, species,
        description, distribution
        """;

    private static readonly short StagingFields = (short)StagingColumns.Split(',').Length;

    private static readonly string ChunkColumns = string.Join(", ", StagingColumns.Split(',').Select(c => "c." + c.Trim()));

    /// <summary>What the staging table keeps of a row that created its right.</summary>
    private const string CreatedColumns = "line, id, type, jurisdiction, number, number_key";

    private static readonly string CreatedChunkColumns = string.Join(", ", CreatedColumns.Split(',').Select(c => "c." + c.Trim()));

    /// <summary>From this many valid rows an import merges its name trigrams into the index once rather than row by row.</summary>
    private const int BulkRows = 10_000;

    /// <summary>Rows per chunk sent to the database while the file is read (<see cref="StageAsync"/>).</summary>
    private const int ChunkRows = 50_000;

    /// <summary>A chunk's first allocation: about what 50,000 rows of names, numbers and dates take.</summary>
    private const int ChunkBytes = 8 << 20;

    /// <summary>
    /// Chunks between merges of the name index beside the import (<see cref="MergeElsewhereAsync"/>): merging
    /// after every chunk cost more CPU in all than it saved, since each merge walks the growing index again.
    /// </summary>
    private const int MergeEveryChunks = 4;

    /// <summary>Imports as the current request's caller.</summary>
    public Task<ImportReport> ImportAsync(Stream body, ImportFormat format, string? charset, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken cancellationToken) =>
        ImportAsync(null, body, format, charset, options, progress, cancellationToken);

    /// <summary>Imports as <paramref name="caller"/> (the command line acts for an API key's organisation), or as the request's caller when null.</summary>
    public async Task<ImportReport> ImportAsync(Caller? caller, Stream body, ImportFormat format, string? charset, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken cancellationToken)
    {
        await using var tx = caller is null ? await db.BeginAsync(cancellationToken) : await db.BeginAsync(caller, cancellationToken);
        RightStore.RequireRecorder(tx);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var counting = new CountingStream(new HashingStream(body, hash));
        var sample = new byte[TextDecoding.SampleSize];
        var sampled = await counting.ReadAtLeastAsync(sample, sample.Length, throwOnEndOfStream: false, cancellationToken);
        if (sampled == 0)
        {
            throw new InputValidationException("file", "file.empty");
        }

        var encoding = TextDecoding.Detect(sample.AsSpan(0, sampled), sampled < sample.Length, charset);
        CheckLooksLike(format, sample.AsSpan(0, sampled), encoding);
        Stream content = new PrefixedStream(sample, sampled, counting);
        var rules = new FieldRules();
        var holder = await RightStore.HolderAsync(tx, rules, options.HolderId, cancellationToken);
        rules.ThrowIfAny();

        // One import at a time: two files recording the same new number for different holders must not both pass the checks.
        // The checks group and join the whole file's rows: in memory rather than sorted on disk.
        await Execute(tx, "SELECT pg_advisory_xact_lock(hashtext('tracemark.rights_import')), set_config('work_mem', '256MB', true)", null, cancellationToken);
        // A row that created its right keeps only its key here (for the checks across the file), so its content may be null.
        await Execute(tx, $"CREATE TEMP TABLE rights_staging ({StagingDefinition.Replace(" NOT NULL", "", StringComparison.Ordinal)}) ON COMMIT DROP", null, cancellationToken);
        await Execute(tx, $"CREATE TEMP TABLE rights_chunk ({StagingDefinition}) ON COMMIT DROP", null, cancellationToken);

        var run = new Run();
        var writing = new Writing(holder, Guid.CreateVersion7(), clock.GetUtcNow(), options.SkipInvalid);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var rows = format == ImportFormat.Csv
            ? ReadCsvAsync(content, encoding, run, progress, counting, cancellationToken)
            : ReadJsonAsync(content, encoding, run, progress, counting, cancellationToken);
        await StageAsync(tx, rows, run, writing, MergeElsewhereAsync, cancellationToken);
        var reading = watch.ElapsedMilliseconds;
        progress?.Report(new ImportProgress("checking", counting.BytesRead, run.Rows));
        await Execute(tx, "ANALYZE rights_staging", null, cancellationToken);
        var rejected = await CheckAgainstRecordsAsync(tx, holder, run, cancellationToken);
        if (rejected.Count > 0)
        {
            var lines = rejected.ToArray();
            // A line rejected now may already have created its right while the file was read: that right goes again.
            await Execute(tx, "SELECT tm_rights_import_forget(@importId, @lines)", new { writing.ImportId, lines }, cancellationToken);
            await Execute(tx, "DELETE FROM rights_staging WHERE line = ANY (@lines)", new { lines }, cancellationToken);
            run.Valid -= rejected.Count;
        }

        var checking = watch.ElapsedMilliseconds - reading;
        var (importId, now) = (writing.ImportId, writing.Now);
        var refused = run.Invalid > 0 && !options.SkipInvalid;
        int created = 0, updated = 0;
        if (!refused)
        {
            progress?.Report(new ImportProgress("writing", counting.BytesRead, run.Rows));
            var (createdWhileReading, expectedNew) = await tx.QuerySingleAsync<(int, int)>(
                "SELECT count(*) FILTER (WHERE created)::int, count(*) FILTER (WHERE existing_id IS NULL AND NOT created)::int FROM rights_staging",
                cancellationToken: cancellationToken);
            if (run.Valid >= BulkRows)
            {
                await UseBulkIndexingAsync(tx, writing, cancellationToken);
            }

            updated = await UpdateAsync(tx, holder, importId, now, cancellationToken);
            var inserted = await InsertAsync(tx, "rights_staging", "WHERE s.existing_id IS NULL AND NOT s.created", writing, cancellationToken);
            if (inserted != expectedNew)
            {
                // Someone recorded one of these numbers between the checks and the insert: start again rather than half-import.
                throw new RuleViolationException("import.concurrent_change", "A right in the file was recorded by someone else during the import; import again.", null, isConflict: true);
            }

            created = createdWhileReading + inserted;
            if (writing.Bulk && created + updated > 0)
            {
                await Execute(tx, "SELECT tm_rights_merge_pending_names()", null, cancellationToken);
            }
        }

        var commit = !refused && !options.DryRun;
        var report = new ImportReport(
            format == ImportFormat.Csv ? "csv" : "json",
            encoding.Name,
            encoding.Converted,
            options.DryRun,
            commit,
            run.Rows,
            run.Valid,
            run.Invalid,
            commit ? created + updated : 0,
            created,
            updated,
            refused ? 0 : run.Valid - created - updated,
            run.Problems.OrderBy(p => p.Row).ThenBy(p => p.Field, StringComparer.Ordinal).ToList(),
            run.Truncated,
            commit ? importId : null,
            Notice(encoding, refused),
            new ImportTimings(reading, checking, watch.ElapsedMilliseconds - reading - checking));

        if (commit)
        {
            await tx.ExecuteAsync(
                """
                INSERT INTO right_imports (id, organisation_id, holder_org_id, format, encoding, rows, created, updated, unchanged, invalid, sha256, created_by, created_at)
                VALUES (@importId, @organisation, @holder, @Format, @Encoding, @Rows, @Created, @Updated, @Unchanged, @Invalid, @sha, @user, @now)
                """,
                new
                {
                    importId,
                    organisation = tx.Caller.OrganisationId,
                    holder,
                    report.Format,
                    report.Encoding,
                    report.Rows,
                    report.Created,
                    report.Updated,
                    report.Unchanged,
                    report.Invalid,
                    sha = Convert.ToHexStringLower(hash.GetCurrentHash()),
                    user = tx.Caller.UserId,
                    now,
                },
                cancellationToken);
            await tx.AuditAsync(
                "right.import",
                "right_import",
                importId.ToString(),
                holder,
                detail: new { report.Format, report.Encoding, report.Rows, report.Created, report.Updated, report.Unchanged, report.Invalid },
                cancellationToken: cancellationToken);
            if (holder != tx.Caller.OrganisationId && report.Written > 0)
            {
                await outbox.AddAsync(
                    tx,
                    new NewNotification("right.imported_by_agent", holder, new { created, updated, link = "/rights?owner=" + holder }, "right_import", importId.ToString()),
                    cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
        }

        progress?.Report(new ImportProgress("done", counting.BytesRead, run.Rows));
        return report;
    }

    /// <summary>
    /// Reading and checking rows (one thread) and writing them to PostgreSQL (another) overlap. Rows go in
    /// chunks: a chunk is copied (COPY, binary) into a small table, the rights of numbers not recorded yet are
    /// created from it at once, and the chunk joins the staging table marked with what was created. Creating
    /// rights (the indexes) is most of an import's database work and reading is most of its CPU work, so the
    /// database creates one chunk while the reading thread prepares the next instead of each waiting for the
    /// other. Rows of numbers already recorded wait for the checks against the register as before. Nothing
    /// is committed before the end, so a file refused at the end leaves nothing behind; a right created from a
    /// line the checks later reject (a number twice in the file) is deleted again.
    /// </summary>
    private static async Task StageAsync(
        DbTx tx, IAsyncEnumerable<(int Line, Staged Row)> rows, Run run, Writing writing, Func<CancellationToken, Task> mergeElsewhere, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The reading thread turns rows into COPY bytes itself, a chunk at a time; one chunk waits while the
        // database creates the previous one, so reading goes on meanwhile.
        var channel = Channel.CreateBounded<CopyBuffer>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    var chunk = new CopyBuffer(ChunkBytes);
                    await foreach (var (line, staged) in rows.WithCancellation(stop.Token))
                    {
                        WriteStaging(chunk, line, staged);
                        if (chunk.Rows == ChunkRows)
                        {
                            await channel.Writer.WriteAsync(chunk, stop.Token);
                            chunk = new CopyBuffer(ChunkBytes);
                        }
                    }

                    if (chunk.Rows > 0)
                    {
                        await channel.Writer.WriteAsync(chunk, stop.Token);
                    }

                    channel.Writer.Complete();
                }
                catch (Exception ex)
                {
                    channel.Writer.Complete(ex);
                    throw;
                }
            },
            stop.Token);
        Exception? failure = null;
        try
        {
            var chunks = 0;
            await foreach (var chunk in channel.Reader.ReadAllAsync(cancellationToken))
            {
                await CopyAsync(tx, chunk, cancellationToken);
                await EndChunkAsync(tx, chunk.Rows, run, writing, cancellationToken);
                if (writing.Bulk && ++chunks % MergeEveryChunks == 0 && writing.Merging is not { IsCompleted: false })
                {
                    writing.Merging = mergeElsewhere(stop.Token);
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            await stop.CancelAsync();
        }

        if (writing.Merging is { } merging)
        {
            // Whatever the outcome, no merge outlives the import; the import's own merge at its end takes what is left.
            await merging;
        }

        try
        {
            // A reader's own error (a file that is not CSV, a record too long) surfaces here as it was thrown.
            await producer;
        }
        catch (OperationCanceledException) when (failure is not null && !cancellationToken.IsCancellationRequested)
        {
            // The reader stopped because copying failed; that failure is the one to report.
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Sends a chunk's rows to the chunk table in one COPY; a failure cancels the COPY, which leaves the connection usable for the rollback.</summary>
    private static async Task CopyAsync(DbTx tx, CopyBuffer chunk, CancellationToken cancellationToken)
    {
        var raw = await tx.Connection.BeginRawBinaryCopyAsync($"COPY rights_chunk ({StagingColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        try
        {
            await raw.WriteAsync(CopyBuffer.Header.ToArray(), cancellationToken);
            await raw.WriteAsync(chunk.Tuples, cancellationToken);
            await raw.WriteAsync(CopyBuffer.Trailer.ToArray(), cancellationToken);
        }
        catch
        {
            await raw.CancelAsync();
            await raw.DisposeAsync();
            throw;
        }

        await raw.DisposeAsync();
    }

    /// <summary>
    /// Ends a chunk's COPY, creates the rights of its new numbers (unless the file is already known to be
    /// refused) and moves the chunk into the staging table, each row marked with whether it created its right.
    /// </summary>
    private static async Task EndChunkAsync(DbTx tx, int rows, Run run, Writing writing, CancellationToken cancellationToken)
    {
        if (writing.SkipInvalid || !run.AnyInvalid)
        {
            if (rows >= BulkRows)
            {
                await UseBulkIndexingAsync(tx, writing, cancellationToken);
            }

            // ON CONFLICT leaves a number already recorded (or twice in the chunk) to the checks at the end.
            var created = await Execute(tx, $"{InsertSql("rights_chunk", "")}\nON CONFLICT (jurisdiction, type, number_key) DO NOTHING", writing.Parameters(tx), cancellationToken);

            // Each row creates at most one right, so the count alone says when every row (a new register's
            // import) or none (a re-import) created its right; only a mixed chunk needs to ask which did. The
            // ids are this import's own, so a right with a row's id is the one that row created. A row that
            // created its right is staged by its key alone: only the checks across the file still need it.
            var made = "EXISTS (SELECT 1 FROM rights r WHERE r.id = c.id)";
            var sql = (created == rows ? "" : $"INSERT INTO rights_staging ({StagingColumns}) SELECT {ChunkColumns} FROM rights_chunk c{(created == 0 ? "" : $" WHERE NOT {made}")};\n")
                + (created == 0 ? "" : $"INSERT INTO rights_staging ({CreatedColumns}, created) SELECT {CreatedChunkColumns}, true FROM rights_chunk c{(created == rows ? "" : $" WHERE {made}")};\n")
                + "TRUNCATE rights_chunk";
            await Execute(tx, sql, null, cancellationToken);
        }
        else
        {
            await Execute(tx, $"INSERT INTO rights_staging ({StagingColumns}) SELECT {ChunkColumns} FROM rights_chunk c; TRUNCATE rights_chunk", null, cancellationToken);
        }
    }

    /// <summary>
    /// For a large import: trigrams wait in the name index's pending list (searches still read it) and are
    /// merged into the index once at the end (tm_rights_merge_pending_names), sorted, instead of row by row.
    /// </summary>
    private static async Task UseBulkIndexingAsync(DbTx tx, Writing writing, CancellationToken cancellationToken)
    {
        if (!writing.Bulk)
        {
            await Execute(tx, "SELECT set_config('gin_pending_list_limit', '2097151', true), set_config('maintenance_work_mem', '262144', true)", null, cancellationToken);
            writing.Bulk = true;
        }
    }

    /// <summary>
    /// Merges the name index's pending trigrams from another connection while the import goes on. The import's
    /// database session is its bottleneck and the reading thread leaves the other core half idle, so merging
    /// there shortens the import by most of the merge (the pending list is an index structure, merged whoever
    /// wrote it and whether or not the import later commits, as autovacuum would). A failed merge costs only
    /// time: the import merges what is left in its own transaction at its end.
    /// </summary>
    private async Task MergeElsewhereAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var other = await db.BeginSystemAsync(cancellationToken);
            await other.ExecuteAsync("SELECT tm_rights_merge_pending_names()", cancellationToken: cancellationToken);
            await other.CommitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The import itself failed or was cancelled; it reports why.
        }
        catch (NpgsqlException ex)
        {
            logger.LogWarning(ex, "Merging the rights name index beside an import failed; the import merges at its end instead");
        }
    }

    private const string StagingDefinition = """
        line integer NOT NULL, id uuid NOT NULL, type text NOT NULL, form text, form_given boolean NOT NULL, jurisdiction text NOT NULL,
        number text NOT NULL, number_key text NOT NULL, application_number text, name text NOT NULL, name_zh text, other_names text[] NOT NULL,
        name_folded text NOT NULL, name_zh_folded text, other_names_folded text, classes smallint[] NOT NULL, goods text, filed_on date,
        registered_on date, expires_on date, status text NOT NULL, status_given boolean NOT NULL, area text, product text, species text,
        description text, distribution text, existing_id uuid, created boolean NOT NULL DEFAULT false
        """;

    private string? Notice(DetectedEncoding encoding, bool refused)
    {
        var notes = new List<string>();
        if (encoding.Converted)
        {
            notes.Add(Text("import.converted", encoding.Name.ToUpperInvariant()));
        }

        if (refused)
        {
            notes.Add(Text("import.refused"));
        }

        return notes.Count == 0 ? null : string.Join(" ", notes);
    }

    /// <summary>A file sent as CSV that is really JSON (or the other way round) gets a clear answer, not a row of errors.</summary>
    private static void CheckLooksLike(ImportFormat format, ReadOnlySpan<byte> sample, DetectedEncoding encoding)
    {
        var text = encoding.Encoding.GetString(sample[..Math.Min(sample.Length, 256)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        var looksJson = text.StartsWith('[') || text.StartsWith('{');
        if (format == ImportFormat.Csv && looksJson)
        {
            throw new InputValidationException("file", "import.not_csv");
        }

        if (format == ImportFormat.Json && !looksJson)
        {
            throw new InputValidationException("file", "import.not_json");
        }
    }

    private async IAsyncEnumerable<(int Line, Staged Row)> ReadCsvAsync(
        Stream content, DetectedEncoding encoding, Run run, IProgress<ImportProgress>? progress, CountingStream counting, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var text = new StreamReader(content, encoding.Encoding, detectEncodingFromByteOrderMarks: false, 65_536);
        var reader = new CsvRecordReader(text);
        var header = await reader.ReadAsync(cancellationToken) ?? throw new InputValidationException("file", "file.empty");
        var columns = Header(header);
        while (true)
        {
            CsvRecord? record;
            try
            {
                record = await reader.ReadAsync(cancellationToken);
            }
            catch (CsvTooLongException ex)
            {
                throw new InputValidationException("file", "import.record_too_long", ex.Line);
            }

            if (record is null)
            {
                yield break;
            }

            run.Count(progress, counting);
            var rules = new FieldRules();
            if (record.Fields.Count != columns.Count)
            {
                rules.Add("row", "import.field_count", columns.Count, record.Fields.Count);
                run.Reject(record.Line, rules.Errors, this, csv: true);
                continue;
            }

            string? Cell(string name)
            {
                var index = columns.IndexOf(name);
                if (index < 0)
                {
                    return null;
                }

                var value = CsvWriter.Unguard(record.Fields[index].Trim());
                return value.Length == 0 ? null : value;
            }

            if (record.Fields.Any(f => f.Contains('\uFFFD', StringComparison.Ordinal)))
            {
                rules.Add("row", "import.invalid_bytes", encoding.Name.ToUpperInvariant());
            }

            var input = new RightInput(
                Cell("type"), Cell("form"), Cell("jurisdiction"), Cell("number"), Cell("application_number"), Cell("name"), Cell("name_zh"),
                SplitNames(Cell("other_names")), NiceClasses.ParseList(rules, "classes", Cell("classes")), Cell("goods"), Cell("filed"), Cell("registered"),
                Cell("expires"), Cell("status"), Cell("area"), Cell("product"), Cell("species"), Cell("description"));
            var staged = Check(rules, input, Cell("distribution"));
            if (staged is null)
            {
                run.Reject(record.Line, rules.Errors, this, csv: true);
                continue;
            }

            run.Valid++;
            yield return (record.Line, staged);
        }
    }

    private async IAsyncEnumerable<(int Line, Staged Row)> ReadJsonAsync(
        Stream content, DetectedEncoding encoding, Run run, IProgress<ImportProgress>? progress, CountingStream counting, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in JsonArrayReader.ItemsAsync(content, encoding, cancellationToken))
        {
            run.Count(progress, counting);
            var rules = new FieldRules();
            JsonRight? element = null;
            try
            {
                element = JsonSerializer.Deserialize<JsonRight>(item.Utf8.Span, ItemJson);
            }
            catch (JsonException ex)
            {
                var path = ex.Path is null or "$" ? "row" : ex.Path.TrimStart('$').TrimStart('.');
                rules.Add(path, "json.invalid_value");
            }

            if (element is null)
            {
                if (!rules.HasErrors)
                {
                    rules.Add("row", "import.json_not_object");
                }

                run.Reject(item.Line, rules.Errors, this, csv: false);
                continue;
            }

            if (item.Utf8.Span.IndexOf("\uFFFD"u8) >= 0)
            {
                rules.Add("row", "import.invalid_bytes", encoding.Name.ToUpperInvariant());
            }

            var input = new RightInput(
                element.Type, element.Form, element.Jurisdiction, element.Number, element.ApplicationNumber, element.Name, element.NameZh, element.OtherNames,
                JsonClasses(rules, element.Classes), element.Goods, element.Filed, element.Registered, element.Expires, element.Status, element.Area,
                element.Product, element.Species, element.Description);
            var staged = Check(rules, input, element.Distribution);
            if (staged is null)
            {
                run.Reject(item.Line, rules.Errors, this, csv: false);
                continue;
            }

            run.Valid++;
            yield return (item.Line, staged);
        }
    }

    /// <summary>The row's content, or null (with its problems in <paramref name="rules"/>) when it cannot be imported.</summary>
    private static Staged? Check(FieldRules rules, RightInput input, string? distributionText)
    {
        var content = RightRules.Validate(rules, input);
        if (content is not null && content.Number is null)
        {
            // Import upserts by number: a right without one can be recorded only one at a time.
            rules.Add("number", "required");
        }

        Distribution? distribution = null;
        if (distributionText is not null)
        {
            if (Distributions.TryParse(distributionText.Trim().ToLowerInvariant(), out var level) && level != Distribution.Group)
            {
                distribution = level;
            }
            else
            {
                rules.Add("distribution", "import.distribution_unknown", distributionText);
            }
        }

        return rules.HasErrors || content is null
            ? null
            : new Staged(content, !string.IsNullOrWhiteSpace(input.Form), !string.IsNullOrWhiteSpace(input.Status), distribution);
    }

    private static List<string> Header(CsvRecord header)
    {
        var rules = new FieldRules();
        var columns = CsvHeader.Columns(header, CsvColumns, RequiredCsvColumns, ChineseColumns, rules);

        rules.ThrowIfAny();
        return columns;
    }

    private static List<string>? SplitNames(string? text) =>
        text?.Split(NameSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>Classes in JSON as numbers ([25, 18]) or as the CSV writes them ("25;18").</summary>
    private static List<int>? JsonClasses(FieldRules rules, JsonElement? classes)
    {
        switch (classes?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return [.. NiceClasses.ParseList(rules, "classes", classes.Value.GetString())];
            case JsonValueKind.Array:
                var result = new List<int>();
                var i = 0;
                foreach (var element in classes.Value.EnumerateArray())
                {
                    if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var number))
                    {
                        result.Add(number);
                    }
                    else
                    {
                        rules.Add(string.Create(CultureInfo.InvariantCulture, $"classes[{i}]"), "right.class_not_a_number", element.ToString());
                    }

                    i++;
                }

                return result;
            default:
                rules.Add("classes", "json.invalid_value");
                return null;
        }
    }

    /// <summary>
    /// One staged row. The writes are synchronous on purpose: the importer buffers them and only a full
    /// buffer goes to the socket, so an awaited write per field (28 per row) would cost a state machine each
    /// and almost never wait; this runs on the copying thread, which has nothing else to do meanwhile.
    /// </summary>
    /// <summary>One staged row in the order of <see cref="StagingColumns"/>.</summary>
    private static void WriteStaging(CopyBuffer copy, int line, Staged row)
    {
        var c = row.Content;
        copy.StartRow(StagingFields);
        copy.Integer(line);
        copy.Uuid(Guid.CreateVersion7());
        copy.Text(c.Type.ToWire());
        copy.Text(c.Form?.ToWire());
        copy.Boolean(row.FormGiven);
        copy.Text(c.Jurisdiction);
        copy.Text(c.Number!);
        copy.Text(c.NumberKey!);
        copy.Text(c.ApplicationNumber);
        copy.Text(c.Name);
        copy.Text(c.NameZh);
        copy.TextArray(c.OtherNames);
        copy.Text(row.NameFolded);
        copy.Text(row.NameZhFolded);
        copy.Text(row.OtherNamesFolded);
        copy.SmallIntArray(c.Classes);
        copy.Text(c.Goods);
        copy.Date(c.Filed);
        copy.Date(c.Registered);
        copy.Date(c.Expires);
        copy.Text(c.Status.ToWire());
        copy.Boolean(row.StatusGiven);
        copy.Text(c.Area);
        copy.Text(c.Product);
        copy.Text(c.Species);
        copy.Text(c.Description);
        copy.Text(row.Distribution?.ToWire());
    }

    /// <summary>The checks a row cannot make alone: the same number twice in the file, a number another holder recorded, a change the recorded right refuses.</summary>
    private async Task<HashSet<int>> CheckAgainstRecordsAsync(DbTx tx, Guid holder, Run run, CancellationToken cancellationToken)
    {
        var rejected = new HashSet<int>();
        // Numbers twice in the file are found by hashing every row's key; only their few rows are then sorted
        // for the report (an aggregate with ORDER BY cannot hash, and sorting the whole file cost seconds).
        var duplicates = await tx.Connection.QueryAsync<(string Number, int[] Lines)>(new CommandDefinition(
            """
            SELECT min(s.number), array_agg(s.line ORDER BY s.line)
            FROM rights_staging s
            JOIN (SELECT jurisdiction, type, number_key FROM rights_staging GROUP BY 1, 2, 3 HAVING count(*) > 1) twice USING (jurisdiction, type, number_key)
            GROUP BY s.jurisdiction, s.type, s.number_key
            """,
            transaction: tx.Transaction,
            commandTimeout: 0,
            cancellationToken: cancellationToken));
        foreach (var (number, lines) in duplicates)
        {
            foreach (var line in lines)
            {
                run.Reject(line, [new FieldError("number", "import.duplicate_number", number, string.Join(", ", lines.Where(l => l != line).Take(5)))], this, csv: null);
                rejected.Add(line);
            }
        }

        var conflicts = await tx.Connection.QueryAsync<(int Line, string Problem, string? Current, string? Wanted)>(new CommandDefinition(
            "SELECT line, problem, current_distribution, wanted_distribution FROM tm_rights_import_check(@holder)",
            new { holder },
            tx.Transaction,
            commandTimeout: 0,
            cancellationToken: cancellationToken));
        foreach (var (line, problem, current, wanted) in conflicts)
        {
            if (!rejected.Add(line))
            {
                continue;
            }

            var error = problem switch
            {
                "taken" => new FieldError("number", "import.number_held_by_another"),
                "distribution" => new FieldError("distribution", "distribution.narrowing", current ?? "", wanted ?? ""),
                _ => new FieldError("row", "import.dates_conflict"),
            };
            run.Reject(line, [error], this, csv: null);
        }

        return rejected;
    }

    private static async Task<int> UpdateAsync(DbTx tx, Guid holder, Guid importId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await tx.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH merged AS (
                SELECT r.id,
                       CASE WHEN s.form_given THEN s.form ELSE r.form END AS form,
                       s.number,
                       coalesce(s.application_number, r.application_number) AS application_number,
                       s.name,
                       s.name_folded,
                       coalesce(s.name_zh, r.name_zh) AS name_zh,
                       coalesce(s.name_zh_folded, r.name_zh_folded) AS name_zh_folded,
                       CASE WHEN cardinality(s.other_names) > 0 THEN s.other_names ELSE r.other_names END AS other_names,
                       CASE WHEN cardinality(s.other_names) > 0 THEN s.other_names_folded ELSE r.other_names_folded END AS other_names_folded,
                       CASE WHEN cardinality(s.classes) > 0 THEN s.classes ELSE r.classes END AS classes,
                       coalesce(s.goods, r.goods) AS goods,
                       coalesce(s.filed_on, r.filed_on) AS filed_on,
                       coalesce(s.registered_on, r.registered_on) AS registered_on,
                       coalesce(s.expires_on, r.expires_on) AS expires_on,
                       CASE WHEN s.status_given THEN s.status ELSE r.status END AS status,
                       coalesce(s.area, r.area) AS area,
                       coalesce(s.product, r.product) AS product,
                       coalesce(s.species, r.species) AS species,
                       coalesce(s.description, r.description) AS description,
                       coalesce(s.distribution, r.distribution) AS distribution,
                       CASE WHEN s.distribution IS NULL THEN r.sharing_group_id END AS sharing_group_id
                FROM rights_staging s JOIN rights r ON r.id = s.existing_id
                WHERE s.existing_id IS NOT NULL AND r.owner_org_id = @holder
            ), changed AS (
                UPDATE rights r SET form = m.form, number = m.number, application_number = m.application_number, name = m.name, name_folded = m.name_folded,
                    name_zh = m.name_zh, name_zh_folded = m.name_zh_folded, other_names = m.other_names, other_names_folded = m.other_names_folded,
                    classes = m.classes, goods = m.goods, filed_on = m.filed_on, registered_on = m.registered_on, expires_on = m.expires_on,
                    status = m.status, area = m.area, product = m.product, species = m.species, description = m.description,
                    distribution = m.distribution, sharing_group_id = m.sharing_group_id,
                    version = r.version + 1, updated_at = @now, last_import_id = @importId
                FROM merged m
                WHERE r.id = m.id
                  AND (r.form, r.number, r.application_number, r.name, r.name_folded, r.name_zh, r.name_zh_folded, r.other_names, r.other_names_folded,
                       r.classes, r.goods, r.filed_on, r.registered_on, r.expires_on, r.status, r.area, r.product, r.species, r.description,
                       r.distribution, r.sharing_group_id)
                      IS DISTINCT FROM
                      (m.form, m.number, m.application_number, m.name, m.name_folded, m.name_zh, m.name_zh_folded, m.other_names, m.other_names_folded,
                       m.classes, m.goods, m.filed_on, m.registered_on, m.expires_on, m.status, m.area, m.product, m.species, m.description,
                       m.distribution, m.sharing_group_id)
                RETURNING 1)
            SELECT count(*)::int FROM changed
            """,
            new { holder, importId, now },
            tx.Transaction,
            commandTimeout: 0,
            cancellationToken: cancellationToken));

    private static Task<int> InsertAsync(DbTx tx, string source, string where, Writing writing, CancellationToken cancellationToken) =>
        Execute(tx, $"{InsertSql(source, where)}\nON CONFLICT (jurisdiction, type, number_key) DO NOTHING", writing.Parameters(tx), cancellationToken);

    /// <summary>Creating rights from staged rows (<paramref name="source"/> is one of the two staging tables, never the caller's text).</summary>
    private static string InsertSql(string source, string where) =>
        $"""
        INSERT INTO rights (id, owner_org_id, recorded_by_org_id, origin_node_id, distribution, type, form, jurisdiction, number, number_key,
                            application_number, name, name_zh, other_names, name_folded, name_zh_folded, other_names_folded, classes, goods,
                            filed_on, registered_on, expires_on, status, area, product, species, description, last_import_id,
                            created_by, created_at, updated_at)
        SELECT s.id, @holder, @organisation, (SELECT id FROM nodes WHERE is_local), coalesce(s.distribution, 'node'), s.type, s.form, s.jurisdiction,
               s.number, s.number_key, s.application_number, s.name, s.name_zh, s.other_names, s.name_folded, s.name_zh_folded, s.other_names_folded,
               s.classes, s.goods, s.filed_on, s.registered_on, s.expires_on, s.status, s.area, s.product, s.species, s.description, @importId,
               @user, @now, @now
        FROM {source} s
        {where}
        """;

    private static Task<int> Execute(DbTx tx, string sql, object? parameters, CancellationToken cancellationToken) =>
        tx.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, tx.Transaction, commandTimeout: 0, cancellationToken: cancellationToken));

    private string Text(string code, params object[] args)
    {
        var template = errorText[code];
        return template.ResourceNotFound ? code : string.Format(CultureInfo.CurrentCulture, template.Value, args);
    }

    /// <summary>A field error as one line of the report: the column as the file names it, the message in the reader's language.</summary>
    private ImportProblem Problem(int line, FieldError error, bool? csv)
    {
        var field = csv == true ? JsonNamingPolicy.SnakeCaseLower.ConvertName(error.Field) : error.Field;
        return new ImportProblem(line, field, error.Code, Text("field." + error.Code, error.Args));
    }

    /// <summary>A valid row, with its names already folded: folding is the costliest per-row work, and the reading thread does it so that the copying thread only writes.</summary>
    private sealed record Staged(RightContent Content, bool FormGiven, bool StatusGiven, Distribution? Distribution)
    {
        public string NameFolded { get; } = RightNames.Fold(Content.Name);

        public string? NameZhFolded { get; } = Content.NameZh is null ? null : RightNames.Fold(Content.NameZh);

        public string? OtherNamesFolded { get; } = RightNames.FoldAll(Content.OtherNames);
    }

    /// <summary>One JSON element: the CSV's columns in camelCase.</summary>
    private sealed record JsonRight(
        string? Type, string? Form, string? Jurisdiction, string? Number, string? ApplicationNumber, string? Name, string? NameZh,
        List<string>? OtherNames, JsonElement? Classes, string? Goods, string? Filed, string? Registered, string? Expires, string? Status,
        string? Area, string? Product, string? Species, string? Description, string? Distribution);

    /// <summary>Counts and problems of one import; problems beyond <see cref="MaxReportedErrors"/> are counted, not kept.</summary>
    /// <summary>What every write of one import shares; <see cref="Bulk"/> once the import switched to merging its trigrams at the end.</summary>
    private sealed class Writing(Guid holder, Guid importId, DateTimeOffset now, bool skipInvalid)
    {
        public Guid Holder { get; } = holder;

        public Guid ImportId { get; } = importId;

        public DateTimeOffset Now { get; } = now;

        public bool SkipInvalid { get; } = skipInvalid;

        public bool Bulk { get; set; }

        /// <summary>The merge of pending name trigrams running beside the import, if any (<see cref="MergeElsewhereAsync"/>).</summary>
        public Task? Merging { get; set; }

        public object Parameters(DbTx tx) => new { holder = Holder, organisation = tx.Caller.OrganisationId, importId = ImportId, user = tx.Caller.UserId, now = Now };
    }

    private sealed class Run
    {
        private readonly HashSet<int> _invalidLines = [];

        private volatile bool _anyInvalid;

        /// <summary>Whether a row was rejected yet; read by the writing thread while the reading thread counts.</summary>
        public bool AnyInvalid => _anyInvalid;

        public int Rows { get; set; }

        public int Valid { get; set; }

        public int Invalid => _invalidLines.Count;

        public List<ImportProblem> Problems { get; } = [];

        /// <summary>One more row read; every 10,000 rows the progress bar hears of it.</summary>
        public void Count(IProgress<ImportProgress>? progress, CountingStream counting)
        {
            Rows++;
            if (Rows % 10_000 == 0)
            {
                progress?.Report(new ImportProgress("reading", counting.BytesRead, Rows));
            }
        }

        public bool Truncated { get; private set; }

        public void Reject(int line, IEnumerable<FieldError> errors, RightImporter importer, bool? csv)
        {
            _invalidLines.Add(line);
            _anyInvalid = true;
            foreach (var error in errors)
            {
                if (Problems.Count >= MaxReportedErrors)
                {
                    Truncated = true;
                    return;
                }

                Problems.Add(importer.Problem(line, error, csv));
            }
        }
    }
}

/// <summary>Feeds everything read through it into a hash, so a streamed upload's SHA-256 is known at its end.</summary>
internal sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        hash.AppendData(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        hash.AppendData(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Drops a UTF-8 byte order mark at the start, which JSON readers refuse.</summary>
internal sealed class BomSkippingStream(Stream inner) : Stream
{
    private bool _checked;
    private Memory<byte> _pending;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_checked)
        {
            _checked = true;
            var head = new byte[3];
            var read = await inner.ReadAtLeastAsync(head, 3, throwOnEndOfStream: false, cancellationToken);
            var skip = read == 3 && head is [0xEF, 0xBB, 0xBF] ? 3 : 0;
            _pending = head.AsMemory(skip, read - skip);
        }

        if (!_pending.IsEmpty)
        {
            var take = Math.Min(buffer.Length, _pending.Length);
            _pending[..take].CopyTo(buffer);
            _pending = _pending[take..];
            return take;
        }

        return await inner.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
