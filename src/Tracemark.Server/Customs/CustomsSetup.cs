using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Tracemark.Core.Errors;
using Tracemark.Server.Customs.Import;
using Tracemark.Server.Platform.Api;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;
using Tracemark.Server.Rights;

namespace Tracemark.Server.Customs;

public static class CustomsSetup
{
    public static WebApplicationBuilder AddCustoms(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DeclarationImportSignal>();
        services.AddScoped<DeclarationImports>();
        services.AddScoped<DeclarationImporter>();
        services.AddHostedService<DeclarationImportWorker>();
        services.AddScoped<CustomsWords>();
        services.AddScoped<LineStore>();
        services.AddScoped<DetentionStore>();
        services.AddScoped<DetentionSweep>();
        services.AddHostedService<DetentionSweepWorker>();
        services.AddScoped<CustomsStatistics>();
        services.AddScoped<PresetStore>();
        services.AddScoped<RateStore>();
        services.AddSingleton<Platform.Demo.IDemoSeeder, CustomsDemo>();
        services.AddNavigation("/customs/worklist", "nav.customs_worklist", "work_customs", 30);
        services.AddNavigation("/customs/detentions", "nav.detentions", "see_detentions", 31);
        services.AddNavigation("/customs/statistics", "nav.customs_statistics", "see_detentions", 32);
        return builder;
    }

    public static WebApplication MapCustoms(this WebApplication app)
    {
        var customs = app.MapGroup("/api/v1/customs").WithTags("Customs");
        customs.MapPost("/imports", ImportAsync)
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Import declaration lines (text/csv or application/json, charset=gbk honoured), streamed to a job: answers 202 with the job at once; ?skipInvalid=true stores the valid lines when others are invalid; ?fileName= names it. Poll the job for progress and its per-row report.");
        customs.MapGet("/imports", (string? cursor, string? limit, DeclarationImports imports, CancellationToken cancellationToken) => imports.ListAsync(cursor, limit, cancellationToken))
            .WithSummary("The caller's declaration imports, newest first, with their status.");
        customs.MapGet("/imports/{id:guid}", (Guid id, DeclarationImports imports, CancellationToken cancellationToken) => imports.GetAsync(id, cancellationToken))
            .WithSummary("One import: status (queued, running, done, refused, failed), progress, counts and the per-row report.");
        customs.MapGet("/worklist", ([AsParameters] WorklistFilter filter, LineStore lines, CancellationToken cancellationToken) => lines.WorklistAsync(filter, cancellationToken))
            .WithSummary("The riskiest open declaration lines, highest score first, with their reasons; ?port=, ?minScore=, cursor pagination.");
        customs.MapGet("/lines/{id:guid}", (Guid id, LineStore lines, CancellationToken cancellationToken) => lines.GetAsync(id, cancellationToken))
            .WithSummary("One declaration line with its score and reasons (audited read).");
        customs.MapPost("/lines/{id:guid}/dismiss", (Guid id, LineDismissal body, LineStore lines, CancellationToken cancellationToken) => lines.DismissAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("Take a line off the work list after a look, with a note.");

        customs.MapGet("/detentions", ([AsParameters] DetentionFilter filter, DetentionStore store, CancellationToken cancellationToken) => store.ListAsync(filter, cancellationToken))
            .WithSummary("Detentions the caller may see (its own as customs, its own as right holder, or shared with it), newest first.");
        customs.MapPost("/detentions", async (NewDetention body, DetentionStore store, CancellationToken cancellationToken) =>
        {
            var detention = await store.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/customs/detentions/{detention.Id}", detention);
        }).RequireAuthorization(Policies.Writer).WithSummary("Detain (or suspend the release of) declaration lines or a whole declaration; the parties' notices and the deadlines follow the preset of the customs organisation's country.");
        customs.MapGet("/detentions/{id:guid}", (Guid id, DetentionStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One detention with its deadline, history, evidence, notices and costs (audited read); 404 for anyone it is not shared with.");
        customs.MapPatch("/detentions/{id:guid}", (Guid id, DetentionChange body, DetentionStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("Change the storage location or widen the distribution (the detaining authority).");
        customs.MapPost("/detentions/{id:guid}/actions", (Guid id, DetentionActionInput body, DetentionStore store, CancellationToken cancellationToken) => store.ActAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("A step by the detaining authority: declarant_notified, declarant_objects, declarant_consents, extend, proceedings_started, release, forfeit, destroy (certificate, date), donate (recipient), refer_to_police (policeOrgId).");
        customs.MapPost("/detentions/{id:guid}/response", (Guid id, HolderResponse body, DetentionStore store, CancellationToken cancellationToken) => store.RespondAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The right holder's answer in one step: decision confirm, deny or proceedings, with reasons (and security posted, where the law asks).");
        customs.MapPost("/detentions/{id:guid}/evidence", async (Guid id, HttpRequest request, DetentionStore store, CancellationToken cancellationToken) =>
        {
            var (file, form) = await RightsSetup.FileAsync(request, cancellationToken);
            await using var stream = file.OpenReadStream();
            var evidence = await store.AddEvidenceAsync(id, stream, form["kind"].ToString(), form["caption"].ToString(), file.FileName, cancellationToken);
            return TypedResults.Created(evidence.Url, evidence);
        }).RequireAuthorization(Policies.Writer).WithSummary("Add a photo or document: multipart/form-data, fields 'file' (picture, PDF or MP4, at most 50 MB), 'kind' (photo, document, certificate, other), 'caption'.");
        customs.MapGet("/detentions/{id:guid}/evidence/{evidenceId:guid}", async (Guid id, Guid evidenceId, DetentionStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
        {
            var (blob, fileName) = await store.ReadEvidenceAsync(id, evidenceId, cancellationToken);
            return await BlobResults.FileAsync(context, blobs, blob, fileName);
        }).WithSummary("A photo or document of the detention (audited read).");
        customs.MapPost("/detentions/{id:guid}/costs", async (Guid id, NewCost body, DetentionStore store, CancellationToken cancellationToken) =>
        {
            var cost = await store.AddCostAsync(id, body, cancellationToken);
            return TypedResults.Created($"/api/v1/customs/detentions/{id}", cost);
        }).RequireAuthorization(Policies.Writer).WithSummary("Record a storage, destruction, transport or other cost (amount and ISO 4217 currency), charged to the right holder.");
        customs.MapGet("/detentions/{id:guid}/package", async (Guid id, DetentionStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
        {
            var (blob, fileName) = await store.PackageAsync(id, cancellationToken);
            return await BlobResults.FileAsync(context, blobs, blob, fileName);
        }).WithSummary("The hand-over package of a case referred to the police (ZIP: case.json, evidence, manifest.json with SHA-256 of each file); the detaining authority and the police organisation only.");

        customs.MapGet("/statistics", ([AsParameters] StatisticsFilter filter, CustomsStatistics statistics, CancellationToken cancellationToken) => statistics.ComputeAsync(filter, cancellationToken))
            .WithSummary("Detentions, items and value by port, mode, origin, category, holder or month (?by=), between dates, values in one currency (?currency=, default CNY).");
        customs.MapGet("/presets", (PresetStore presets, CancellationToken cancellationToken) => presets.ListAsync(cancellationToken))
            .WithSummary("The jurisdictions' border-measure procedures: modes, consent rules and periods, as data.");
        customs.MapPut("/presets/{code}/periods/{timer}", (string code, string timer, PeriodChange body, PresetStore presets, CancellationToken cancellationToken) =>
                presets.SetPeriodAsync(code, timer, body, cancellationToken))
            .RequireAuthorization(Policies.PlatformAdmin).WithSummary("Set one period of a preset (platform administrator).");
        customs.MapGet("/rates", (RateStore rates, CancellationToken cancellationToken) => rates.ListAsync(cancellationToken))
            .WithSummary("Conversion rates (units per US dollar) used for unit values and statistics.");
        customs.MapPut("/rates/{currency}", (string currency, RateChange body, RateStore rates, CancellationToken cancellationToken) => rates.SetAsync(currency, body, cancellationToken))
            .RequireAuthorization(Policies.PlatformAdmin).WithSummary("Set a conversion rate (platform administrator).");
        return app;
    }

    private static async Task<IResult> ImportAsync(HttpContext context, string? skipInvalid, string? fileName, DeclarationImports imports, Problems problems, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        var skip = QueryValues.Bool(rules, "skipInvalid", skipInvalid) ?? false;
        rules.ThrowIfAny();
        var contentType = MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var parsed) ? parsed : null;
        bool? json = contentType?.MediaType.Value?.ToLowerInvariant() switch
        {
            "text/csv" or "application/csv" or "text/comma-separated-values" => false,
            "application/json" or "text/json" => true,
            _ => null,
        };
        if (json is null)
        {
            var problem = problems.Create(context, StatusCodes.Status415UnsupportedMediaType, "import.media_type", [], context.Request.ContentType ?? "-");
            return TypedResults.Json(problem, statusCode: StatusCodes.Status415UnsupportedMediaType, contentType: Problems.ContentType);
        }

        // The body streams to disk; the default limit is for requests that are buffered.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = DeclarationImports.MaxBytes;
        }

        var job = await imports.CreateAsync(context.Request.Body, json.Value, contentType?.Charset.Value, fileName, skip, cancellationToken);
        return TypedResults.Accepted($"/api/v1/customs/imports/{job.Id}", job);
    }
}
