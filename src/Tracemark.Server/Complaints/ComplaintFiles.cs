using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

public sealed record ComplaintFileView(string Sha256, long Size, string MediaType, string? FileName);

/// <summary>
/// Evidence files for notices, stored once by SHA-256 in the blob store (where the evidence ledger finds
/// them) and recorded as uploaded by the caller's organisation: a notice may cite only files its filer had.
/// </summary>
public sealed class ComplaintFiles(Db db, BlobStore blobs, TimeProvider clock)
{
    public async Task<ComplaintFileView> UploadAsync(Stream content, string? fileName, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        if (tx.Caller.OrganisationId is not { } organisation)
        {
            throw new AccessDeniedException("auth.required", "Uploading needs a signed-in organisation.");
        }

        var blob = await blobs.PutAsync(tx, content, NoticeStore.EvidenceFiles, "file", cancellationToken);
        var name = string.IsNullOrWhiteSpace(fileName) ? null : Path.GetFileName(fileName.Trim()) is { Length: > 0 } n ? n[..Math.Min(n.Length, 255)] : null;
        await tx.ExecuteAsync(
            """
            INSERT INTO complaint_files (organisation_id, sha256, file_name, uploaded_by, uploaded_at) VALUES (@organisation, @Sha256, @name, @user, @now)
            ON CONFLICT (organisation_id, sha256) DO NOTHING
            """,
            new { organisation, blob.Sha256, name, user = tx.Caller.UserId, now = clock.GetUtcNow() },
            cancellationToken);
        await tx.AuditAsync("complaint.upload", "complaint_file", blob.Sha256, organisation, detail: new { blob.Size, blob.MediaType, name }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new ComplaintFileView(blob.Sha256, blob.Size, blob.MediaType, name);
    }
}
