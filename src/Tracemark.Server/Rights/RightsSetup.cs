using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Tracemark.Core.Errors;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Rights.Import;

namespace Tracemark.Server.Rights;

/// <summary>Marker for the registry's strings (RightsText.resx, RightsText.zh-CN.resx).</summary>
public sealed class RightsText;

public sealed record MayActAnswer(Guid RightId, Guid OrganisationId, DateTimeOffset At, bool MayAct);

public static class RightsSetup
{
    /// <summary>An import streams, so its size is bounded by time and disk, not memory; this keeps a runaway upload finite.</summary>
    public const long MaxImportBytes = 4L * 1024 * 1024 * 1024;

    public static WebApplicationBuilder AddRights(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<BlobStore>();
        services.AddScoped<RightStore>();
        services.AddScoped<RightSearch>();
        services.AddScoped<RightImporter>();
        services.AddScoped<AgentStore>();
        services.AddScoped<GuideStore>();
        services.AddScoped<RecordationStore>();
        services.AddSingleton<IReminderSource, RecordationReminders>();
        services.AddSingleton<Platform.Demo.IDemoSeeder, RightsDemo>();
        services.AddNavigation("/rights", "nav.rights", "read", 10);
        services.AddNavigation("/recordations", "nav.recordations", "read", 12);
        services.AddNavigation("/agents", "nav.agents", "work_with_agents", 85);
        return builder;
    }

    public static WebApplication MapRights(this WebApplication app)
    {
        var rights = app.MapGroup("/api/v1/rights").WithTags("Rights");
        rights.MapGet("/", ([AsParameters] RightFilter filter, RightSearch search, CancellationToken cancellationToken) => search.SearchAsync(filter, cancellationToken))
            .WithSummary("Search rights by name in any script (misspellings ranked by similarity), number, owner, class, jurisdiction, status, validity on a date; cursor pagination; ?facets=true for counts.");
        rights.MapGet("/export", async ([AsParameters] RightFilter filter, RightSearch search, HttpContext context, CancellationToken cancellationToken) =>
        {
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = "attachment; filename=\"rights.csv\"";
            await search.ExportAsync(filter, context.Response.Body, cancellationToken);
        }).WithSummary("The matching rights as CSV (the import's columns), safe to open in a spreadsheet.");
        rights.MapPost("/", async (NewRight body, RightStore store, CancellationToken cancellationToken) =>
        {
            var right = await store.CreateAsync(body, null, cancellationToken);
            return TypedResults.Created($"/api/v1/rights/{right.Id}", right);
        }).RequireAuthorization(Policies.Writer).WithSummary("Record a right (a rights holder for itself, or an agent with holderId for a holder that authorised it for all rights).");
        rights.MapGet("/{id:guid}", (Guid id, RightStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One right; 404 when it does not exist or the caller may not see it.");
        rights.MapPatch("/{id:guid}", (Guid id, RightChange body, RightStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, null, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("Change a right the caller holds or is authorised for; the distribution may widen, never narrow.");
        rights.MapGet("/{id:guid}/image", async (Guid id, RightStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
                await BlobResults.FileAsync(context, blobs, await store.ReadImageAsync(id, cancellationToken)))
            .WithSummary("The mark's picture (audited read).");
        rights.MapPut("/{id:guid}/image", async (Guid id, HttpRequest request, RightStore store, CancellationToken cancellationToken) =>
        {
            var (file, _) = await FileAsync(request, cancellationToken);
            await using var stream = file.OpenReadStream();
            return await store.SetImageAsync(id, stream, cancellationToken);
        }).RequireAuthorization(Policies.Writer).WithSummary("Set the mark's picture: multipart/form-data, field 'file' (PNG, JPEG, GIF or WebP, at most 10 MB).");
        rights.MapGet("/{id:guid}/documents", (Guid id, RightStore store, CancellationToken cancellationToken) => store.ListDocumentsAsync(id, cancellationToken))
            .WithSummary("The right's documents (certificates, renewals).");
        rights.MapPost("/{id:guid}/documents", async (Guid id, HttpRequest request, RightStore store, CancellationToken cancellationToken) =>
        {
            var (file, form) = await FileAsync(request, cancellationToken);
            await using var stream = file.OpenReadStream();
            var document = await store.AddDocumentAsync(id, stream, form["title"].ToString(), file.FileName, cancellationToken);
            return TypedResults.Created($"/api/v1/rights/{id}/documents/{document.Id}", document);
        }).RequireAuthorization(Policies.Writer).WithSummary("Add a document: multipart/form-data, fields 'file' (PDF or picture, at most 25 MB) and 'title'.");
        rights.MapGet("/{id:guid}/documents/{documentId:guid}", async (Guid id, Guid documentId, RightStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
        {
            var (document, blob) = await store.ReadDocumentAsync(id, documentId, cancellationToken);
            return await BlobResults.FileAsync(context, blobs, blob, document.FileName);
        }).WithSummary("A document's content (audited read).");
        rights.MapGet("/{id:guid}/may-act", async (Guid id, string? organisationId, string? at, RightStore store, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            var rules = new FieldRules();
            var organisation = QueryValues.Id(rules, "organisationId", organisationId);
            if (organisationId is null)
            {
                rules.Add("organisationId", "required");
            }

            var instant = QueryValues.Instant(rules, "at", at) ?? clock.GetUtcNow();
            rules.ThrowIfAny();
            return new MayActAnswer(id, organisation!.Value, instant, await store.MayActAsync(id, organisation.Value, instant, cancellationToken));
        }).WithSummary("Whether an organisation may act for the right at an instant (default now): it holds it, or its holder authorised it as an agent.");
        rights.MapPost("/import", ImportAsync)
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Import rights from CSV (text/csv) or JSON (application/json), streamed; ?dryRun=true checks without writing; ?skipInvalid=true writes the valid rows when others are invalid; ?holderId= for agents. Answers with the per-row report.");

        var guides = app.MapGroup("/api/v1/guides").WithTags("Identification guides");
        guides.MapGet("/", (string? rightId, GuideStore store, CancellationToken cancellationToken) => store.ListAsync(rightId, cancellationToken))
            .WithSummary("Guides the caller may see (owner, its agents, enforcement organisations): all, or those of one right.");
        guides.MapPost("/", async (NewGuide body, GuideStore store, CancellationToken cancellationToken) =>
        {
            var guide = await store.CreateAsync(body, null, cancellationToken);
            return TypedResults.Created($"/api/v1/guides/{guide.Id}", guide);
        }).RequireAuthorization(Policies.Writer).WithSummary("Write an identification guide for rights the caller holds (or is authorised for).");
        guides.MapGet("/{id:guid}", (Guid id, GuideStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One guide (audited read); 404 for anyone not allowed to see it.");
        guides.MapPatch("/{id:guid}", (Guid id, GuideChange body, GuideStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("Change a guide: each part given replaces that part.");
        guides.MapPost("/{id:guid}/pictures", async (Guid id, HttpRequest request, GuideStore store, CancellationToken cancellationToken) =>
        {
            var (file, form) = await FileAsync(request, cancellationToken);
            await using var stream = file.OpenReadStream();
            var picture = await store.AddPictureAsync(id, new NewPicture(stream, form["kind"].ToString(), form["caption"].ToString()), cancellationToken);
            return TypedResults.Created(picture.Url, picture);
        }).RequireAuthorization(Policies.Writer).WithSummary("Add a picture: multipart/form-data, fields 'file', 'kind' (genuine, fake, packaging, other) and 'caption'.");
        guides.MapGet("/{id:guid}/pictures/{pictureId:guid}", async (Guid id, Guid pictureId, GuideStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
                await BlobResults.FileAsync(context, blobs, await store.ReadPictureAsync(id, pictureId, cancellationToken)))
            .WithSummary("A guide's picture (audited read).");

        var recordations = app.MapGroup("/api/v1/recordations").WithTags("Customs recordations");
        recordations.MapGet("/", (string? rightId, string? status, string? expiringBefore, RecordationStore store, CancellationToken cancellationToken) =>
                store.ListAsync(rightId, status, expiringBefore, cancellationToken))
            .WithSummary("Customs recordations and applications for action the caller may see, soonest expiry first.");
        recordations.MapPost("/", async (NewRecordation body, RecordationStore store, CancellationToken cancellationToken) =>
        {
            var recordation = await store.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/recordations/{recordation.Id}", recordation);
        }).RequireAuthorization(Policies.Writer).WithSummary("Record a customs recordation or application for action for the caller's (or its principal's) rights.");
        recordations.MapGet("/{id:guid}", (Guid id, RecordationStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One recordation.");
        recordations.MapPatch("/{id:guid}", (Guid id, RecordationChange body, RecordationStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("Change a recordation: grant, reject, renew (a later validUntil).");

        var agents = app.MapGroup("/api/v1/agent-authorisations").WithTags("Agents");
        agents.MapGet("/", (AgentStore store, CancellationToken cancellationToken) => store.ListAsync(cancellationToken))
            .WithSummary("Authorisations the caller's organisation gave (as a rights holder) and received (as an agent).");
        agents.MapPost("/", async (NewAgentAuthorisation body, AgentStore store, CancellationToken cancellationToken) =>
        {
            var authorisation = await store.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/agent-authorisations/{authorisation.Id}", authorisation);
        }).RequireAuthorization(Policies.OrgAdmin).WithSummary("Authorise an agent organisation for all or some of the holder's rights, with validity dates.");
        agents.MapDelete("/{id:guid}", (Guid id, AgentStore store, CancellationToken cancellationToken) => store.RevokeAsync(id, cancellationToken))
            .RequireAuthorization(Policies.OrgAdmin).WithSummary("Revoke an authorisation.");
        return app;
    }

    private static async Task<IResult> ImportAsync(
        HttpContext context,
        string? dryRun,
        string? skipInvalid,
        string? holderId,
        RightImporter importer,
        Problems problems,
        CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var options = new ImportOptions(
            QueryValues.Bool(rules, "dryRun", dryRun) ?? false,
            QueryValues.Bool(rules, "skipInvalid", skipInvalid) ?? false,
            QueryValues.Id(rules, "holderId", holderId));
        rules.ThrowIfAny();

        var contentType = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed : null;
        ImportFormat? format = contentType?.MediaType.Value?.ToLowerInvariant() switch
        {
            "text/csv" or "application/csv" or "text/comma-separated-values" => ImportFormat.Csv,
            "application/json" or "text/json" => ImportFormat.Json,
            _ => null,
        };
        if (format is null)
        {
            var problem = problems.Create(context, StatusCodes.Status415UnsupportedMediaType, "import.media_type", [], context.Request.ContentType ?? "-");
            return TypedResults.Json(problem, statusCode: StatusCodes.Status415UnsupportedMediaType, contentType: Problems.ContentType);
        }

        // The body streams through the importer; the default limit is for requests that are buffered.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxImportBytes;
        }

        var report = await importer.ImportAsync(context.Request.Body, format.Value, contentType?.Charset.Value, options, null, cancellationToken);
        return TypedResults.Ok(report);
    }

    /// <summary>The multipart field 'file' (the only way files come in); a missing one is a field error, not a framework 400.</summary>
    internal static async Task<(IFormFile File, IFormCollection Form)> FileAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            throw new InputValidationException("file", "file.multipart_required");
        }

        var form = await request.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("file") ?? throw new InputValidationException("file", "required");
        return (file, form);
    }
}
