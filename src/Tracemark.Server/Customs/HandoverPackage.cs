using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Tracemark.Server.Platform;
using Tracemark.Server.Platform.Blobs;

namespace Tracemark.Server.Customs;

/// <summary>One file of a hand-over package, with the SHA-256 the police can check it against.</summary>
public sealed record PackageEntry(string Path, string Sha256, long Size, string MediaType);

/// <summary>
/// The case of a detention referred to the police, as one ZIP: case.json (the detention, its history, costs and
/// the declaration lines), every photo and document under evidence/ named by its SHA-256, and manifest.json listing
/// each file with its SHA-256 and size. It is built once, when the case is referred, and kept in the blob store
/// under its own SHA-256 (which the detention records), so what the police download is what was handed over.
/// </summary>
public sealed record HandoverPackage(byte[] Zip, IReadOnlyList<PackageEntry> Entries)
{
    /// <summary>The blob store's rule for packages: ZIP only, and large enough for a case's photos and videos.</summary>
    public static readonly BlobRules Rules = new(2L * 1024 * 1024 * 1024, [MediaTypes.Zip]);

    private static readonly JsonSerializerOptions Json = CreateJson();

    public static async Task<HandoverPackage> BuildAsync(DetentionView detention, IReadOnlyList<LineView> lines, BlobStore blobs, CancellationToken cancellationToken)
    {
        var cutoff = detention.ReferredAt ?? throw new InvalidOperationException("Only a referred detention has a hand-over package.");
        var evidence = detention.Evidence.Where(e => e.UploadedAt <= cutoff).ToList();
        var caseFile = new
        {
            detention = detention with
            {
                Evidence = evidence,
                Costs = detention.Costs.Where(c => c.RecordedAt <= cutoff).ToList(),
                Events = detention.Events.Where(e => e.At <= cutoff).ToList(),
                AllowedActions = [],
                HandoverSha256 = null,
            },
            lines,
        };
        var files = new List<(string Path, byte[] Bytes, string MediaType)>
        {
            ("case.json", JsonSerializer.SerializeToUtf8Bytes(caseFile, Json), "application/json"),
        };
        foreach (var item in evidence.DistinctBy(e => e.Sha256, StringComparer.Ordinal))
        {
            await using var stream = await blobs.OpenReadAsync(item.Sha256, cancellationToken);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            files.Add(($"evidence/{item.Sha256}.{MediaTypes.Extension(item.MediaType)}", copy.ToArray(), item.MediaType));
        }

        var entries = files.Select(f => new PackageEntry(f.Path, Convert.ToHexStringLower(SHA256.HashData(f.Bytes)), f.Bytes.Length, f.MediaType)).ToList();
        files.Add(("manifest.json", JsonSerializer.SerializeToUtf8Bytes(new { detention = detention.Reference, referredAt = cutoff, files = entries }, Json), "application/json"));

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, bytes, _) in files)
            {
                var entry = archive.CreateEntry(path, CompressionLevel.Optimal);
                entry.LastWriteTime = cutoff;
                using var write = entry.Open();
                write.Write(bytes);
            }
        }

        return new HandoverPackage(zip.ToArray(), entries);
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        PlatformSetup.ConfigureJson(options);
        return options;
    }
}
