using System.Security.Cryptography;
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
/// caller's transaction, next to the record that refers to the file.
/// </summary>
/// <remarks>
/// The store does not decide who may read a file: features serve files only through records the caller
/// may see (row-level security) and audit the read. A file whose transaction rolled back stays on disk
/// without a row; it is harmless (the next upload of the same bytes finds it) and invisible to readers.
/// </remarks>
public sealed class BlobStore(TracemarkSettings settings)
{
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
    public async Task<BlobInfo> PutTextAsync(DbTx tx, string text, CancellationToken cancellationToken)
    {
        await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text), writable: false);
        return await PutAsync(tx, content, new BlobRules(long.MaxValue, [MediaTypes.PlainText]), "text", MediaTypes.PlainText, cancellationToken);
    }

    /// <summary>Several texts at once: each file written (and flushed) as by <see cref="PutTextAsync"/>, their rows in one statement.</summary>
    public async Task<IReadOnlyList<BlobInfo>> PutTextsAsync(DbTx tx, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        // Each file waits on the disk for its own flush and its folder's: written side by side, a batch's
        // flushes overlap instead of queueing one behind another in the writer that holds the batch.
        var infos = new BlobInfo[texts.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, texts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                await using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(texts[i]), writable: false);
                infos[i] = await WriteFileAsync(content, new BlobRules(long.MaxValue, [MediaTypes.PlainText]), "text", MediaTypes.PlainText, token);
            });

        if (infos.Length > 0)
        {
            await tx.ExecuteAsync(
                "INSERT INTO blobs (sha256, size, media_type) SELECT * FROM unnest(@sha256s, @sizes, @mediaTypes) ON CONFLICT (sha256) DO NOTHING",
                new { sha256s = infos.Select(i => i.Sha256).ToArray(), sizes = infos.Select(i => i.Size).ToArray(), mediaTypes = infos.Select(i => i.MediaType).ToArray() },
                cancellationToken);
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

    /// <summary>The bytes of a stored file; the caller must already have decided that the reader may see them.</summary>
    public Stream OpenRead(string sha256)
    {
        if (!IsSha256(sha256))
        {
            throw new ArgumentException("Not a SHA-256 in lower-case hex.", nameof(sha256));
        }

        return new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
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
