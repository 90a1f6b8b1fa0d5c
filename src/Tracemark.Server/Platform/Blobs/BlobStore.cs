using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Hosting;

namespace Tracemark.Server.Platform.Blobs;

/// <summary>A stored file: its SHA-256 (lower-case hex, also its name), size and sniffed media type.</summary>
public sealed record BlobInfo(string Sha256, long Size, string MediaType);

/// <summary>
/// Content-addressed file storage for every feature (rights images, guide pictures, documents, evidence):
/// the same bytes are stored once, under <c>blobs/ab/cd/&lt;sha256&gt;</c> in the data folder. A file is
/// written to a temporary name, flushed to disk, then renamed into place and its directory flushed, so a
/// crash leaves either no file or the whole file, never a torn one. The metadata row is written in the
/// caller's transaction, next to the record that refers to the file. Small texts the server writes itself
/// (<see cref="InlineLimit"/>) keep their bytes in that row instead, so a filing needs no flush of its own.
/// </summary>
/// <remarks>
/// The store does not decide who may read a file: features serve files only through records the caller
/// may see (row-level security) and audit the read. A file whose transaction rolled back stays on disk
/// without a row; it is harmless (the next upload of the same bytes finds it) and invisible to readers.
/// </remarks>
public sealed class BlobStore(TracemarkSettings settings, NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The largest text kept in its row rather than a file. A listing's snapshot is a few KB; a page's whole text
    /// rarely passes this, and bytes above it would mostly add to the write-ahead log what a file keeps out of it.
    /// </summary>
    public const int InlineLimit = 64 * 1024;

    private const int BufferSize = 81_920;

    /// <summary>How many of a batch's snapshot files are written at once (each mostly waits on the disk).</summary>
    private const int ParallelWrites = 8;

    public string Root { get; } = Path.Combine(settings.DataFolder, "blobs");

    /// <summary>
    /// Stores <paramref name="content"/> if it is within <paramref name="rules"/> and records it in
    /// <paramref name="tx"/>. Problems are reported against <paramref name="field"/> (the form or multipart field).
    /// </summary>
    public Task<BlobInfo> PutAsync(DbTx tx, Stream content, BlobRules rules, string field, CancellationToken cancellationToken) =>
        PutAsync(tx, content, rules, field, null, cancellationToken);

    /// <summary>
    /// Stores text the server itself wrote (a snapshot of a web page's text), as UTF-8 <c>text/plain</c>. Text
    /// has no magic number to sniff, so clients' files never come this way: only the server vouches for the type.
    /// </summary>
    public async Task<BlobInfo> PutTextAsync(DbTx tx, string text, CancellationToken cancellationToken) =>
        (await PutTextsAsync(tx, [text], cancellationToken))[0];

    /// <summary>
    /// Several texts at once, their rows in one statement. A text of up to <see cref="InlineLimit"/> bytes is kept
    /// in its row, durable with <paramref name="tx"/>'s commit and gone with its rollback; a longer one is a file
    /// written (and flushed) as an upload is.
    /// </summary>
    public async Task<IReadOnlyList<BlobInfo>> PutTextsAsync(DbTx tx, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var infos = new BlobInfo[texts.Count];
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        List<int>? large = null;
        for (var i = 0; i < texts.Count; i++)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(texts[i]);
            if (bytes.Length == 0)
            {
                throw new InputValidationException("text", "file.empty");
            }

            if (bytes.Length > InlineLimit)
            {
                (large ??= []).Add(i);
                continue;
            }

            var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            infos[i] = new BlobInfo(sha256, bytes.Length, MediaTypes.PlainText);
            contents.TryAdd(sha256, bytes);
        }

        if (large is not null)
        {
            // Each file waits on the disk for its own flush and its folder's: written side by side, a batch's
            // flushes overlap instead of queueing one behind another in the writer that holds the batch.
            await Parallel.ForEachAsync(
                large,
                new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(texts[i]), writable: false);
                    infos[i] = await WriteFileAsync(content, new BlobRules(long.MaxValue, [MediaTypes.PlainText]), "text", MediaTypes.PlainText, token);
                });
        }

        if (infos.Length > 0)
        {
            // One row per distinct blob: a repeat would only send its bytes again for ON CONFLICT to drop.
            var rows = infos.DistinctBy(i => i.Sha256, StringComparer.Ordinal).ToList();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO blobs (sha256, size, media_type, content) SELECT * FROM unnest($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                tx.Connection,
                tx.Transaction);
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.Select(r => r.Sha256).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = rows.Select(r => r.Size).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = rows.Select(r => r.MediaType).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, Value = rows.Select(r => contents.GetValueOrDefault(r.Sha256)).ToArray() });
            await tx.ExecuteNonQueryAsync(insert, cancellationToken);
        }

        return infos;
    }

    private async Task<BlobInfo> PutAsync(DbTx tx, Stream content, BlobRules rules, string field, string? knownMediaType, CancellationToken cancellationToken)
    {
        var info = await WriteFileAsync(content, rules, field, knownMediaType, cancellationToken);
        await tx.ExecuteAsync(
            "INSERT INTO blobs (sha256, size, media_type) VALUES (@Sha256, @Size, @MediaType) ON CONFLICT (sha256) DO NOTHING",
            info,
            cancellationToken);
        return info;
    }

    public async Task<BlobInfo?> FindAsync(DbTx tx, string sha256, CancellationToken cancellationToken) =>
        IsSha256(sha256)
            ? await tx.QuerySingleOrDefaultAsync<BlobInfo>("SELECT sha256, size, media_type FROM blobs WHERE sha256 = @sha256", new { sha256 }, cancellationToken)
            : null;

    /// <summary>
    /// The bytes of a stored blob, from its file or, for a small text, from its row; the caller must already have
    /// decided that the reader may see them. Read as the database owner, as a file is opened by the server's own
    /// rights: the application's role cannot read a row's content (migration 0057).
    /// </summary>
    public async Task<Stream> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!IsSha256(sha256))
        {
            throw new ArgumentException("Not a SHA-256 in lower-case hex.", nameof(sha256));
        }

        try
        {
            return new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // No file: a small text whose bytes are in its row (a row has its content exactly when no file has them).
            await using var read = dataSource.CreateCommand("SELECT content FROM blobs WHERE sha256 = $1 AND content IS NOT NULL");
            read.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = sha256 });
            var content = await read.ExecuteScalarAsync(cancellationToken) as byte[];
            return content is null
                ? throw new FileNotFoundException($"Blob {sha256} has neither a file nor a stored content.", ex)
                : new MemoryStream(content, writable: false);
        }
    }

    public static bool IsSha256(string? text) => text is { Length: 64 } && text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private string PathOf(string sha256) => Path.Combine(Root, sha256[..2], sha256[2..4], sha256);

    private async Task<BlobInfo> WriteFileAsync(Stream content, BlobRules rules, string field, string? knownMediaType, CancellationToken cancellationToken)
    {
        var temporaryFolder = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(temporaryFolder);
        var temporary = Path.Combine(temporaryFolder, Guid.NewGuid().ToString("N"));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            string? mediaType = null;
            var head = new byte[MediaTypes.SniffLength];
            var headLength = 0;
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > rules.MaxBytes)
                    {
                        throw new InputValidationException(field, "file.too_large", rules.MaxBytes / (1024 * 1024));
                    }

                    if (headLength < head.Length)
                    {
                        var take = Math.Min(head.Length - headLength, read);
                        buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                        headLength += take;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                if (size == 0)
                {
                    throw new InputValidationException(field, "file.empty");
                }

                mediaType = knownMediaType ?? MediaTypes.Sniff(head.AsSpan(0, headLength));
                if (mediaType is null || !rules.MediaTypes.Contains(mediaType, StringComparer.Ordinal))
                {
                    throw new InputValidationException(field, "file.type_not_allowed", string.Join(", ", rules.MediaTypes));
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            var target = PathOf(sha256);
            var folder = Path.GetDirectoryName(target)!;
            var created = !Directory.Exists(folder);
            Directory.CreateDirectory(folder);
            if (File.Exists(target))
            {
                // The same bytes are already stored: nothing to add.
                File.Delete(temporary);
            }
            else
            {
                try
                {
                    File.Move(temporary, target, overwrite: false);
                }
                catch (IOException) when (File.Exists(target))
                {
                    // Another request stored the same bytes at the same moment.
                    File.Delete(temporary);
                }

                DurableFiles.FlushDirectory(folder);
                if (created)
                {
                    DurableFiles.FlushDirectory(Path.GetDirectoryName(folder)!);
                    DurableFiles.FlushDirectory(Root);
                }
            }

            return new BlobInfo(sha256, size, mediaType);
        }
        catch
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }

            throw;
        }
    }
}
