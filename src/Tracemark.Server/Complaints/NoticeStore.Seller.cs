using Tracemark.Core.Complaints;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

/// <summary>A file the seller attaches to its counter-notice through its link.</summary>
public sealed record SellerFile(Stream Content, string? FileName);

/// <summary>What the seller's page shows: the notice as the seller may act on it, and the jurisdiction's wording of its declaration.</summary>
public sealed record SellerPage(NoticeView Notice, JurisdictionView Jurisdiction, DateTimeOffset LinkExpiresAt);

/// <summary>
/// The seller's side, through its link: no account, so no caller and no row-level security. Every step
/// first finds the notice by the SHA-256 of the token (unrevoked, unexpired), then works on that notice
/// only, and is audited with the link it came through.
/// </summary>
public sealed partial class NoticeStore
{
    public const int SellerFilesMax = 10;

    /// <summary>Files a party may attach: papers, pictures and screen recordings.</summary>
    public static readonly BlobRules EvidenceFiles = new(25 * 1024 * 1024, [MediaTypes.Pdf, MediaTypes.Png, MediaTypes.Jpeg, MediaTypes.Gif, MediaTypes.WebP, MediaTypes.Mp4]);

    public async Task<SellerPage> SellerViewAsync(string token, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var (row, link) = await SellerNoticeAsync(tx, token, false, cancellationToken);
        var view = await ViewAsync(tx, row, Party.Seller, cancellationToken);
        await tx.AuditAsync("complaint.seller_read", "complaint_notice", row.Id.ToString(), row.ComplainantOrgId, detail: new { link.Id }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new SellerPage(view, await complaintRules.GetJurisdictionAsync(row.Jurisdiction, cancellationToken), link.ExpiresAt);
    }

    /// <summary>The seller declares non-infringement with its evidence; the files are stored with the counter-notice or not at all.</summary>
    public async Task<NoticeView> SellerCounterNoticeAsync(string token, CounterNoticeInput input, IReadOnlyList<SellerFile> files, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var content = CounterContent(rules, input with { Evidence = null });
        if (files.Count > SellerFilesMax)
        {
            rules.Add("files", "too_many", SellerFilesMax);
        }

        rules.ThrowIfAny();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var (row, link) = await SellerNoticeAsync(tx, token, true, cancellationToken);
        var evidence = new List<EvidenceContent>();
        foreach (var file in files)
        {
            var blob = await blobs.PutAsync(tx, file.Content, EvidenceFiles, "files", cancellationToken);
            evidence.Add(new EvidenceContent(blob.Sha256, file.FileName is { Length: > 0 } name ? name[..Math.Min(name.Length, 200)] : null));
        }

        var after = await CounterNoticeAsync(tx, row, Party.Seller, content with { Evidence = evidence.DistinctBy(e => e.Sha256).ToList() }, "seller_link", cancellationToken);
        await tx.AuditAsync("complaint.seller_act", "complaint_notice", row.Id.ToString(), row.ComplainantOrgId, detail: new { link.Id, action = "counter_notice" }, cancellationToken: cancellationToken);
        var view = await ViewAsync(tx, after, Party.Seller, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    public async Task<NoticeView> SellerAppealAsync(string token, ReasonsInput input, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var reasons = NoticeRules.Reasons(rules, "reasons", input.Reasons);
        rules.ThrowIfAny();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var (row, link) = await SellerNoticeAsync(tx, token, true, cancellationToken);
        var after = await AppealAsync(tx, row, Party.Seller, reasons, cancellationToken);
        await tx.AuditAsync("complaint.seller_act", "complaint_notice", row.Id.ToString(), row.ComplainantOrgId, detail: new { link.Id, action = "appeal" }, cancellationToken: cancellationToken);
        var view = await ViewAsync(tx, after, Party.Seller, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return view;
    }

    /// <summary>A file of the notice for the seller (the complainant's evidence is forwarded with the notice); audited.</summary>
    public async Task<(BlobInfo Blob, string FileName)> SellerFileAsync(string token, string sha256, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var (row, _) = await SellerNoticeAsync(tx, token, false, cancellationToken);
        var result = await ReadFileAsync(tx, row, sha256, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The notice a token opens, or 404 (unknown, revoked and expired links alike, so a guess learns nothing).</summary>
    private async Task<(NoticeRow Row, SellerLink Link)> SellerNoticeAsync(DbTx tx, string token, bool forUpdate, CancellationToken cancellationToken)
    {
        var link = token.StartsWith("sl_", StringComparison.Ordinal) && token.Length < 100
            ? await tx.QuerySingleOrDefaultAsync<SellerLink>(
                """
                UPDATE complaint_seller_links SET last_used_at = @now
                WHERE token_sha256 = @hash AND revoked_at IS NULL AND expires_at > @now
                RETURNING id, notice_id, expires_at
                """,
                new { hash = SellerTokens.Hash(token), now = clock.GetUtcNow() },
                cancellationToken)
            : null;
        var row = link is null ? null : await FindRowAsync(tx, link.NoticeId, cancellationToken, forUpdate);
        return row is null ? throw new RecordNotFoundException("seller_link", "-") : (row, link!);
    }

    private sealed record SellerLink(Guid Id, Guid NoticeId, DateTimeOffset ExpiresAt);
}
