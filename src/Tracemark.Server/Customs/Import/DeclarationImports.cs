using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Customs.Import;

/// <summary>One problem with one row of a declarations file, worded in the reader's language.</summary>
public sealed record ImportRowProblem(int Row, string Field, string Code, string Message);

/// <summary>
/// A declarations import as the API and the page show it: where it is (status, phase, bytes and rows read),
/// and when it has ended, its counts and per-row report. <see cref="Written"/> counts lines stored by this
/// import; lines the same file (or another) stored before are <see cref="AlreadyStored"/>, never stored twice.
/// </summary>
public sealed record DeclarationImportView(
    Guid Id,
    string Status,
    string Phase,
    string? FileName,
    string Format,
    long Bytes,
    long BytesRead,
    double Progress,
    int RowsRead,
    string? Encoding,
    bool Converted,
    bool SkipInvalid,
    int? Rows,
    int? Valid,
    int? Invalid,
    int? Written,
    int? AlreadyStored,
    int? Flagged,
    IReadOnlyList<ImportRowProblem> Errors,
    bool ErrorsTruncated,
    string? Notice,
    string Sha256,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public bool Finished => Status is "done" or "refused" or "failed";
}

/// <summary>Wakes the import worker of this server when a job is queued (other servers find it on their next poll).</summary>
public sealed class DeclarationImportSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Raise() => _signal.Release();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>
/// Receives declaration files and keeps the import jobs: the upload is written to the data folder (hashed as it
/// streams, flushed before the job exists) and a queued job row is committed; a worker then reads, screens,
/// scores and stores it (<see cref="DeclarationImporter"/>). Polling the job shows its progress.
/// </summary>
public sealed class DeclarationImports(Db db, TimeProvider clock, TracemarkSettings settings, DeclarationImportSignal signal, IStringLocalizer<ErrorText> errorText)
{
    /// <summary>The upload streams to disk, so this bounds time and disk, not memory.</summary>
    public const long MaxBytes = 8L * 1024 * 1024 * 1024;

    private const string Select = """
        SELECT id, status, phase, file_name, format, bytes, bytes_read, rows_read, encoding, converted, skip_invalid, rows, valid, invalid, written,
               already_stored, flagged, errors::text AS errors, errors_truncated, file_error::text AS file_error, failure, sha256, attempts, created_at,
               started_at, finished_at
        FROM customs_imports
        """;

    /// <summary>Where an upload waits for its job, in the data folder (shared by the servers, as the blob store is).</summary>
    public static string SpoolPath(string dataFolder, Guid id) => Path.Combine(dataFolder, "customs-imports", id.ToString("N") + ".upload");

    /// <summary>Stores an upload and queues its import; answers at once with the queued job.</summary>
    public async Task<DeclarationImportView> CreateAsync(Stream body, bool json, string? charset, string? fileName, bool skipInvalid, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var name = rules.Optional("fileName", fileName is null ? null : Path.GetFileName(fileName), 255);
        if (charset is not null && charset.Length > 40)
        {
            rules.Add("charset", "too_long", 40);
        }

        rules.ThrowIfAny();
        await using (var check = await db.BeginAsync(cancellationToken))
        {
            CustomsAccess.RequireCustoms(check.Caller);
            if (!check.Caller.CanWrite)
            {
                throw new AccessDeniedException("auth.forbidden", "Importing declarations needs an officer.");
            }
        }

        var id = Guid.CreateVersion7();
        var path = SpoolPath(settings.DataFolder, id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".part";
        long bytes;
        string sha256;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > MaxBytes)
                    {
                        throw new InputValidationException("file", "file.too_large", MaxBytes / (1024 * 1024));
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                if (total == 0)
                {
                    throw new InputValidationException("file", "file.empty");
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
                bytes = total;
            }

            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            File.Move(partial, path);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        try
        {
            await using var tx = await db.BeginAsync(cancellationToken);
            var now = clock.GetUtcNow();
            await tx.ExecuteAsync(
                """
                INSERT INTO customs_imports (id, owner_org_id, file_name, format, charset, skip_invalid, bytes, sha256, status, created_by, created_at)
                VALUES (@id, @org, @name, @format, @charset, @skipInvalid, @bytes, @sha256, 'queued', @user, @now)
                """,
                new { id, org = tx.Caller.OrganisationId, name, format = json ? "json" : "csv", charset, skipInvalid, bytes, sha256, user = tx.Caller.UserId, now },
                cancellationToken);
            await tx.AuditAsync("customs.import.create", "customs_import", id.ToString(), tx.Caller.OrganisationId, detail: new { name, bytes, sha256, skipInvalid }, cancellationToken: cancellationToken);
            var view = await FindAsync(tx, id, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            signal.Raise();
            return view!;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public async Task<DeclarationImportView> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var view = await FindAsync(tx, id, cancellationToken) ?? throw new RecordNotFoundException("customs_import", id.ToString());
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    public async Task<Page<DeclarationImportView>> ListAsync(string? cursor, string? limit, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var take = Paging.Limit(rules, QueryValues.Number(rules, "limit", limit));
        var after = Paging.DecodeId(rules, cursor);
        rules.ThrowIfAny();
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<ImportRow>(
            Select + " WHERE (@after::uuid IS NULL OR id < @after) ORDER BY id DESC LIMIT @take",
            new { after, take = take + 1 },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return Paging.Build(rows.Select(ToView).ToList(), take, v => v.Id.ToString());
    }

    private async Task<DeclarationImportView?> FindAsync(DbTx tx, Guid id, CancellationToken cancellationToken)
    {
        var row = await tx.QuerySingleOrDefaultAsync<ImportRow>(Select + " WHERE id = @id", new { id }, cancellationToken);
        return row is null ? null : ToView(row);
    }

    private DeclarationImportView ToView(ImportRow row)
    {
        var csv = row.Format == "csv";
        var errors = new List<ImportRowProblem>();
        if (row.FileError is not null)
        {
            var error = JsonSerializer.Deserialize<StoredProblem>(row.FileError, StoredProblem.Json)!;
            errors.Add(new ImportRowProblem(0, error.Field, error.Code, Text("field." + error.Code, error.Args)));
        }

        foreach (var error in JsonSerializer.Deserialize<List<StoredProblem>>(row.Errors, StoredProblem.Json) ?? [])
        {
            var field = csv ? JsonNamingPolicy.SnakeCaseLower.ConvertName(error.Field) : error.Field;
            errors.Add(new ImportRowProblem(error.Row, field, error.Code, Text("field." + error.Code, error.Args)));
        }

        var notes = new List<string>();
        if (row.Converted)
        {
            notes.Add(Text("import.converted", [row.Encoding?.ToUpperInvariant() ?? "GB18030"]));
        }

        if (row.Status == "refused" && row.FileError is null)
        {
            notes.Add(Text("import.refused", []));
        }

        if (row.Status == "failed" && row.Failure is not null)
        {
            notes.Add(Text("customs.import_failed", [row.Failure]));
        }

        return new DeclarationImportView(
            row.Id,
            row.Status,
            row.Phase,
            row.FileName,
            row.Format,
            row.Bytes,
            row.BytesRead,
            row.Status is "done" or "refused" ? 1 : row.Bytes == 0 ? 0 : Math.Min(1, (double)row.BytesRead / row.Bytes),
            row.RowsRead,
            row.Encoding,
            row.Converted,
            row.SkipInvalid,
            row.Rows,
            row.Valid,
            row.Invalid,
            row.Written,
            row.AlreadyStored,
            row.Flagged,
            errors,
            row.ErrorsTruncated,
            notes.Count == 0 ? null : string.Join(" ", notes),
            row.Sha256,
            row.Attempts,
            row.CreatedAt,
            row.StartedAt,
            row.FinishedAt);
    }

    private string Text(string code, string[] args)
    {
        var template = errorText[code];
        return template.ResourceNotFound ? code : string.Format(CultureInfo.CurrentCulture, template.Value, args.Cast<object>().ToArray());
    }

    private sealed record ImportRow(
        Guid Id, string Status, string Phase, string? FileName, string Format, long Bytes, long BytesRead, int RowsRead, string? Encoding, bool Converted,
        bool SkipInvalid, int? Rows, int? Valid, int? Invalid, int? Written, int? AlreadyStored, int? Flagged, string Errors, bool ErrorsTruncated,
        string? FileError, string? Failure, string Sha256, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);
}

/// <summary>A problem as the job row keeps it: codes and arguments, worded only when someone reads it.</summary>
internal sealed record StoredProblem(int Row, string Field, string Code, string[] Args)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static StoredProblem From(int row, FieldError error) =>
        new(row, error.Field, error.Code, error.Args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "").ToArray());
}
