using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Blobs;
using Tracemark.Server.Platform.Idempotency;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Complaints;

/// <summary>Marker for the complaints' strings (ComplaintsText.resx, ComplaintsText.zh-CN.resx), the seller's pages included.</summary>
public sealed class ComplaintsText;

public static class ComplaintsSetup
{
    public static WebApplicationBuilder AddComplaints(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<JurisdictionCache>();
        services.AddScoped<ComplaintRulesStore>();
        services.AddScoped<NoticeStore>();
        services.AddScoped<ComplaintFiles>();
        services.AddScoped<ComplaintSanctions>();
        services.AddScoped<ComplaintStatistics>();
        services.AddScoped<ComplaintSweep>();
        services.AddHostedService<ComplaintSweepWorker>();
        services.AddSingleton<FilingIntake>();
        services.AddHostedService(sp => sp.GetRequiredService<FilingIntake>());
        services.AddSingleton<Platform.Demo.IDemoSeeder, ComplaintsDemo>();
        services.AddNavigation("/complaints", "nav.complaints", "read", 15);
        services.AddNavigation("/complaints/statistics", "nav.complaint_statistics", "read", 16);
        services.AddNavigation("/complaints/accountability", "nav.complaint_accountability", "read", 17);
        return builder;
    }

    public static WebApplication MapComplaints(this WebApplication app)
    {
        // The platforms' machine API: every POST carries an Idempotency-Key, so a retried request never files or decides twice.
        var api = app.MapGroup("/api/v1/complaints").WithTags("Complaints").RequireIdempotencyKey();

        api.MapGet("/notices", ([AsParameters] NoticeFilter filter, NoticeStore store, CancellationToken cancellationToken) => store.ListAsync(filter, cancellationToken))
            .WithSummary("Notices the caller may see, newest first, by cursor; ?role=platform|complainant, ?state=, ?platformId=, ?q= (title, listing id, seller id).");
        // Filed through the intake's group commit: the key is claimed, and the answer stored, in the batch's transaction.
        api.MapPost("/notices", async (NewNotice body, FilingIntake intake, CallerAccessor callers, HttpContext context, CancellationToken cancellationToken) =>
        {
            var answer = await intake.FileAsync(body, callers.Current, context.Ticket(), cancellationToken);
            await answer.ExecuteAsync(context);
        }).HandOffIdempotencyKey().Produces<NoticeView>(StatusCodes.Status201Created).RequireAuthorization(Policies.Writer).WithSummary("File a notice (rights holders and their agents): rights relied on, listings with snapshots, evidence, the statement of good faith.");
        api.MapGet("/notices/{id:guid}", (Guid id, NoticeStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One notice with its listings, screening hits, evidence, deadlines and timeline (audited read).");
        api.MapGet("/notices/{id:guid}/files/{sha256}", async (Guid id, string sha256, NoticeStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
        {
            var (blob, name) = await store.ReadFileAsync(id, sha256, cancellationToken);
            return await BlobResults.FileAsync(context, blobs, blob, name);
        }).WithSummary("A file of the notice: a listing's snapshot or picture, or evidence (audited read).");
        api.MapPost("/notices/{id:guid}/decision", (Guid id, DecisionInput body, NoticeStore store, CancellationToken cancellationToken) => store.DecideAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("The platform's decision: measure remove, block, restrict or no_action, with reasons; a measure returns the seller's link (shown once).");
        api.MapPost("/notices/{id:guid}/counter-notice", (Guid id, CounterNoticeInput body, NoticeStore store, CancellationToken cancellationToken) => store.CounterNoticeAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform relays the seller's counter-notice (statement, name, contact, affirmed, evidence).");
        api.MapPost("/notices/{id:guid}/forward", (Guid id, NoticeStore store, CancellationToken cancellationToken) => store.ForwardAsync(id, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform forwards the counter-notice to the complainant; the restore window is computed in the jurisdiction's calendar.");
        api.MapPost("/notices/{id:guid}/filed-action", (Guid id, FiledActionInput body, NoticeStore store, CancellationToken cancellationToken) => store.ReportActionFiledAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The complainant shows a complaint to an authority or a lawsuit (kind complaint|lawsuit, with, reference) before the period ends.");
        api.MapPost("/notices/{id:guid}/appeal", (Guid id, ReasonsInput body, NoticeStore store, CancellationToken cancellationToken) => store.AppealAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform relays the seller's appeal of its decision, within the appeal window.");
        api.MapPost("/notices/{id:guid}/appeal-decision", (Guid id, AppealDecisionInput body, NoticeStore store, CancellationToken cancellationToken) => store.DecideAppealAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform decides an appeal: granted lifts the measure, dismissed keeps it.");
        api.MapPost("/notices/{id:guid}/withdraw", (Guid id, ReasonsInput body, NoticeStore store, CancellationToken cancellationToken) => store.WithdrawAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The complainant withdraws the notice; a measure in force is lifted.");
        api.MapPost("/notices/{id:guid}/finding", (Guid id, FindingInput body, NoticeStore store, CancellationToken cancellationToken) => store.RecordFindingAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform records a failed notice as wrongful or malicious, against the complainant's record.");
        api.MapPost("/notices/{id:guid}/seller-link", (Guid id, NoticeStore store, CancellationToken cancellationToken) => store.ReissueLinkAsync(id, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform issues a new link for the seller; the previous one stops working.");
        api.MapGet("/queue", (string? limit, NoticeStore store, CancellationToken cancellationToken) => store.QueueAsync(limit, cancellationToken))
            .WithSummary("The platform's review queue: notices waiting for its decision, soonest deadline first.");
        api.MapPost("/files", async (HttpRequest request, ComplaintFiles files, CancellationToken cancellationToken) =>
        {
            if (!request.HasFormContentType)
            {
                throw new InputValidationException("file", "file.multipart_required");
            }

            var form = await request.ReadFormAsync(cancellationToken);
            var file = form.Files.GetFile("file") ?? throw new InputValidationException("file", "required");
            await using var stream = file.OpenReadStream();
            return await files.UploadAsync(stream, file.FileName, cancellationToken);
        }).RequireAuthorization(Policies.Writer)
            .WithSummary("Upload an evidence file (multipart/form-data, field 'file': PDF, picture or MP4, at most 25 MB); cite it in notices by its SHA-256.");
        api.MapGet("/statistics", (string? from, string? to, ComplaintStatistics statistics, CancellationToken cancellationToken) => statistics.QueryAsync(from, to, cancellationToken))
            .WithSummary("Notices, takedown rate, median hours to action and counter-notice rate, by platform, rights holder and month, over what the caller may see.");

        api.MapGet("/jurisdictions", (ComplaintRulesStore rules, CancellationToken cancellationToken) => rules.ListJurisdictionsAsync(cancellationToken))
            .WithSummary("Each jurisdiction's periods, service levels and statements (PRC E-commerce Law, US DMCA, …).");
        api.MapGet("/jurisdictions/{code}", (string code, ComplaintRulesStore rules, CancellationToken cancellationToken) => rules.GetJurisdictionAsync(code, cancellationToken))
            .WithSummary("One jurisdiction's rules.");
        api.MapPatch("/jurisdictions/{code}", (string code, JurisdictionChange body, ComplaintRulesStore rules, CancellationToken cancellationToken) => rules.ChangeJurisdictionAsync(code, body, cancellationToken))
            .RequireAuthorization(Policies.PlatformAdmin).WithSummary("Change a jurisdiction's periods and service levels (platform administrator); running notices keep their deadlines.");
        api.MapGet("/platforms", (ComplaintRulesStore rules, CancellationToken cancellationToken) => rules.ListPlatformsAsync(cancellationToken))
            .WithSummary("The platforms that take notices, with their domains, jurisdiction and policies.");
        api.MapGet("/platforms/{id:guid}", (Guid id, ComplaintRulesStore rules, CancellationToken cancellationToken) => rules.GetPlatformAsync(id, cancellationToken))
            .WithSummary("One platform's settings.");
        api.MapPut("/platforms/{id:guid}", (Guid id, PlatformChange body, ComplaintRulesStore rules, CancellationToken cancellationToken) => rules.SetPlatformAsync(id, body, cancellationToken))
            .WithSummary("Register a platform or change its domains, jurisdiction, repeat-infringer policy and fast-track standard (its administrators, or the platform administrator).");
        api.MapGet("/sellers", (string? q, string? limit, ComplaintSanctions sanctions, CancellationToken cancellationToken) => sanctions.SellersAsync(q, limit, cancellationToken))
            .WithSummary("The platform's sellers with strikes and open suspension recommendations.");
        api.MapPost("/recommendations/{id:guid}/resolve", (Guid id, ReasonsInput body, ComplaintSanctions sanctions, CancellationToken cancellationToken) => sanctions.ResolveRecommendationAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform records what it did about a suspension recommendation.");
        api.MapGet("/accuracy", (string? complainantId, string? platformId, ComplaintSanctions sanctions, CancellationToken cancellationToken) => sanctions.AccuracyAsync(complainantId, platformId, cancellationToken))
            .WithSummary("A complainant's accuracy with a platform over the platform's window: notices upheld, counter-notices that succeeded, fast-track eligibility.");
        api.MapGet("/fast-track", (ComplaintSanctions sanctions, CancellationToken cancellationToken) => sanctions.FastTrackAsync(cancellationToken))
            .WithSummary("Fast-track grants the caller gave (a platform) or holds (a complainant).");
        api.MapPut("/fast-track/{complainantId:guid}", (Guid complainantId, ComplaintSanctions sanctions, CancellationToken cancellationToken) => sanctions.GrantFastTrackAsync(complainantId, cancellationToken))
            .RequireAuthorization(Policies.Writer).WithSummary("The platform puts a complainant on its fast track (kept while its accuracy meets the platform's standard).");
        api.MapDelete("/fast-track/{complainantId:guid}", async (Guid complainantId, ComplaintSanctions sanctions, CancellationToken cancellationToken) =>
        {
            await sanctions.RevokeFastTrackAsync(complainantId, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.Writer).WithSummary("The platform takes a complainant off its fast track.");

        // The seller's files, through its link (no account): the token opens this notice's files only.
        app.MapGet("/s/{token}/files/{sha256}", async (string token, string sha256, NoticeStore store, BlobStore blobs, HttpContext context, CancellationToken cancellationToken) =>
        {
            var (blob, name) = await store.SellerFileAsync(token, sha256, cancellationToken);
            return await BlobResults.FileAsync(context, blobs, blob, name);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
