using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Evidence;

/// <summary>Marker for the evidence pages' strings (EvidenceText.resx, EvidenceText.zh-CN.resx).</summary>
public sealed class EvidenceText;

public static class EvidenceSetup
{
    /// <summary>The largest evidence file and its form fields.</summary>
    public const long MaxUploadBytes = (100L * 1024 * 1024) + (64 * 1024);

    private static readonly HashSet<string> UploadFields = new(StringComparer.Ordinal)
    {
        "recordType", "recordId", "collectedBy", "collectedAt", "collectedWhere", "collectionMethod", "originalName",
    };

    public static WebApplicationBuilder AddEvidence(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton<BlobStore>();
        services.AddSingleton<EvidenceLedger>();
        services.AddScoped<EvidenceStore>();
        services.AddHostedService<TreeHeadSigner>();
        services.AddSingleton<Platform.Demo.IDemoSeeder, EvidenceDemo>();
        services.AddNavigation("/evidence", "nav.evidence", "read", 25);
        return builder;
    }

    public static WebApplication MapEvidence(this WebApplication app)
    {
        var evidence = app.MapGroup("/api/v1/evidence").WithTags("Evidence");
        evidence.MapGet("/", ([AsParameters] EvidenceFilter filter, EvidenceStore store, CancellationToken cancellationToken) => store.ListAsync(filter, cancellationToken))
            .WithSummary("Evidence the caller may see, newest first, by cursor; filter by recordType and recordId, or by sha256.");
        evidence.MapPost("/", UploadAsync)
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Upload evidence: multipart/form-data with the field 'file' (PNG, JPEG, GIF, WebP, PDF or MP4, at most 100 MB) and collectedBy, collectedAt (ISO 8601), optionally collectedWhere, collectionMethod, originalName, recordType (alert, right) with recordId. Records 'collected' and 'uploaded' in the ledger.");
        evidence.MapGet("/{id:guid}", (Guid id, EvidenceStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One piece of evidence with its chain of custody (audited read).");
        evidence.MapGet("/{id:guid}/file", async (Guid id, EvidenceStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
            {
                var (blob, name) = await store.ViewFileAsync(id, cancellationToken);
                return await BlobResults.FileAsync(context, blobs, blob, name);
            })
            .WithSummary("The evidence file; every request is a 'viewed' custody event in the ledger and an audited read.");
        evidence.MapPost("/{id:guid}/custody-events", async (Guid id, NewCustodyEvent body, EvidenceStore store, CancellationToken cancellationToken) =>
            {
                if (body.EvidenceId is { } other && other != id)
                {
                    throw new InputValidationException("evidenceId", "invalid_value");
                }

                var recorded = await store.RecordCustodyAsync([body with { EvidenceId = id }], cancellationToken);
                return TypedResults.Created($"/api/v1/evidence/{id}", recorded[0]);
            })
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Record what happened to evidence the caller's organisation holds: kind transferred or disclosed (with counterpartyOrganisationId), sampled, returned (optionally to an organisation) or destroyed (sampled and destroyed with a note).");
        evidence.MapPost("/custody-events", async (CustodyBatch body, EvidenceStore store, CancellationToken cancellationToken) =>
                TypedResults.Ok(await store.RecordCustodyAsync(body.Events, cancellationToken)))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Record up to 1,000 custody actions at once ({\"events\": [{evidenceId, kind, …}]}): all or none, one append to the ledger.");
        evidence.MapGet("/{sha256}/receipt", ReceiptAsync)
            .WithSummary("The receipt (docs/ledger.md §4) of the first custody event of the evidence with this SHA-256 that the caller may see, or of its event at ?leafIndex=, under the latest signed tree head; 409 with Retry-After until a tree head covers it.");

        var ledger = app.MapGroup("/api/v1/ledger").WithTags("Ledger").AllowAnonymous();
        ledger.MapGet("/public-key", async (EvidenceLedger node, CancellationToken cancellationToken) =>
            {
                await node.EnsureOpenAsync(cancellationToken);
                return Results.Text(node.Key.ExportPublicKeyPem(), "application/x-pem-file");
            })
            .WithSummary("The node's tree-head key, PEM SubjectPublicKeyInfo. Public.");
        ledger.MapGet("/tree-head", async (EvidenceLedger node, Db db, CancellationToken cancellationToken) =>
            {
                await using var tx = await db.BeginAsync(cancellationToken);
                return Json((await node.LatestAsync(tx, cancellationToken)).ToJson());
            })
            .WithSummary("The latest signed tree head (docs/ledger.md §3). Public.");
        ledger.MapGet("/tree-heads/{treeSize}", async (string treeSize, Db db, CancellationToken cancellationToken) =>
            {
                var rules = new FieldRules();
                var size = LedgerQuery.Size(rules, "treeSize", treeSize);
                rules.ThrowIfAny();
                await using var tx = await db.BeginAsync(cancellationToken);
                var head = await EvidenceLedger.AtSizeAsync(tx, size!.Value, cancellationToken)
                    ?? throw new RecordNotFoundException("tree_head", size.Value.ToString(CultureInfo.InvariantCulture));
                return Json(head.ToJson());
            })
            .WithSummary("The tree head the node signed at that size (all are kept); 404 if it never signed that size. Public.");
        ledger.MapGet("/consistency", async (string? fromSize, string? toSize, EvidenceLedger node, Db db, CancellationToken cancellationToken) =>
            {
                var (from, to) = await LedgerQuery.RangeAsync(node, db, "fromSize", fromSize, "toSize", toSize, allowEqual: true, cancellationToken);
                return Json(node.Log.ProveConsistency(from, to).ToJson());
            })
            .WithSummary("Consistency proof between two signed sizes, 0 < fromSize ≤ toSize ≤ the latest signed size. Public.");
        ledger.MapGet("/inclusion", async (string? leafIndex, string? treeSize, EvidenceLedger node, Db db, CancellationToken cancellationToken) =>
            {
                var (index, size) = await LedgerQuery.RangeAsync(node, db, "leafIndex", leafIndex, "treeSize", treeSize, allowEqual: false, cancellationToken);
                var proof = node.Log.ProveInclusion(index, size);
                return Results.Json(new InclusionAnswer(index, size, [.. proof.Select(Convert.ToHexStringLower)]));
            })
            .WithSummary("Inclusion proof of a leaf in the tree of a signed size, leafIndex < treeSize ≤ the latest signed size. Public.");
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, EvidenceStore store, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxUploadBytes;
        }

        if (!context.Request.HasFormContentType)
        {
            throw new InputValidationException("file", "file.multipart_required");
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var unknown = form.Keys.Where(k => !UploadFields.Contains(k)).Concat(form.Files.Select(f => f.Name).Where(n => n != "file")).Distinct(StringComparer.Ordinal).ToList();
        var file = form.Files.GetFile("file");
        string? Value(string name) => form.TryGetValue(name, out var value) ? value.ToString() : null;
        await using var content = file?.OpenReadStream();
        var created = await store.UploadAsync(
            content,
            new NewEvidence(Value("recordType"), Value("recordId"), Value("collectedBy"), Value("collectedAt"), Value("collectedWhere"), Value("collectionMethod"), Value("originalName") ?? file?.FileName),
            cancellationToken,
            unknown);
        return TypedResults.Created($"/api/v1/evidence/{created.Id}", created);
    }

    private static async Task<IResult> ReceiptAsync(string sha256, string? leafIndex, EvidenceStore store, Problems problems, HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await store.ReceiptAsync(sha256, leafIndex, cancellationToken);
            var name = string.Create(CultureInfo.InvariantCulture, $"receipt-{sha256[..Math.Min(16, sha256.Length)].ToLowerInvariant()}-leaf-{receipt.LeafIndex}.json");
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
            return Json(receipt.ToJson());
        }
        catch (RuleViolationException ex) when (ex.Code == "ledger.not_signed_yet")
        {
            // The problem is written here rather than by the error path, which would drop the Retry-After header.
            context.Response.Headers.RetryAfter = TreeHeadSigner.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Json(problems.FromException(context, ex), (JsonSerializerOptions?)null, Problems.ContentType, StatusCodes.Status409Conflict);
        }
    }

    /// <summary>The ledger's JSON is written by the library, exactly as docs/ledger.md shows it.</summary>
    private static IResult Json(string json) => Results.Text(json, "application/json");
}

public sealed record InclusionAnswer(ulong LeafIndex, ulong TreeSize, IReadOnlyList<string> InclusionProof);

/// <summary>Sizes and indices in ledger requests: decimal whole numbers, checked against the latest signed size.</summary>
internal static class LedgerQuery
{
    public static ulong? Size(FieldRules rules, string name, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= long.MaxValue)
        {
            return value;
        }

        rules.Add(name, "number.invalid", text);
        return null;
    }

    /// <summary>
    /// Two required numbers with 0 &lt; first ≤ second (or first &lt; second) ≤ the latest signed size; for an index, 0 is allowed.
    /// </summary>
    public static async Task<(ulong First, ulong Second)> RangeAsync(
        EvidenceLedger node, Db db, string firstName, string? firstText, string secondName, string? secondText, bool allowEqual, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var first = Size(rules, firstName, firstText);
        var second = Size(rules, secondName, secondText);
        if (firstText is null or "")
        {
            rules.Add(firstName, "required");
        }

        if (secondText is null or "")
        {
            rules.Add(secondName, "required");
        }

        rules.ThrowIfAny();
        ulong signed;
        await using (var tx = await db.BeginAsync(cancellationToken))
        {
            signed = (await node.LatestAsync(tx, cancellationToken)).TreeSize;
        }

        if (allowEqual && first == 0)
        {
            rules.Add(firstName, "out_of_range", 1, second!.Value);
        }
        else if (allowEqual && first > second)
        {
            rules.Add(firstName, "ledger.above", secondName, second!.Value);
        }
        else if (!allowEqual && first >= second)
        {
            rules.Add(firstName, "ledger.not_below", secondName, second!.Value);
        }

        if (second > signed)
        {
            rules.Add(secondName, "ledger.beyond_signed", signed);
        }

        rules.ThrowIfAny();
        return (first!.Value, second!.Value);
    }
}
