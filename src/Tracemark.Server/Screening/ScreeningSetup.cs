using Microsoft.AspNetCore.Mvc;
using Tracemark.Server.Platform.Errors;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Screening;

public static class ScreeningSetup
{
    public static WebApplicationBuilder AddScreening(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MarkLexicon>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MarkLexicon>());
        builder.Services.AddScoped<ScreeningService>();
        builder.Services.AddScoped<ScreeningAdmin>();
        builder.Services.AddNavigation("/screening", "nav.screening", "read", 40);
        return builder;
    }

    public static WebApplication MapScreening(this WebApplication app)
    {
        var screening = app.MapGroup("/api/v1/screening").WithTags("Screening");
        screening.MapPost("/", (ScreeningRequest body, ScreeningService service, CancellationToken cancellationToken) => service.ScreenAsync(body, cancellationToken))
            .WithSummary("Screen one text (text) or up to 10,000 (texts) against the registry's marks, their lookalikes and risk terms; mode full or exact_only.");
        screening.MapPost("/stream", (HttpContext context, ScreeningService service, Problems problems, CancellationToken cancellationToken) => ScreeningStream.RunAsync(context, service, problems, cancellationToken))
            .WithMetadata(new DisableRequestSizeLimitAttribute())
            .WithSummary("Screen a stream: application/x-ndjson lines {\"id\":…,\"text\":…} or text/plain lines in, one NDJSON result line per input line out, as it goes.");
        screening.MapGet("/status", (MarkLexicon lexicon) => lexicon.Status)
            .WithSummary("How many marks and risk terms are screened for, and when the lexicon last changed.");
        screening.MapGet("/risk-terms", (ScreeningAdmin admin, CancellationToken cancellationToken) => admin.RiskTermsAsync(cancellationToken))
            .WithSummary("The risk-term lists, per language.");
        screening.MapPut("/risk-terms", async (RiskTermInput body, ScreeningAdmin admin, CancellationToken cancellationToken) =>
        {
            await admin.SetRiskTermAsync(body, enabled: true, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.PlatformAdmin).WithSummary("Add (or re-enable) a risk term (platform administrator).");
        screening.MapDelete("/risk-terms", async ([AsParameters] RiskTermInput query, ScreeningAdmin admin, CancellationToken cancellationToken) =>
        {
            await admin.SetRiskTermAsync(query, enabled: false, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.PlatformAdmin).WithSummary("Stop screening for a risk term (platform administrator).");
        screening.MapPut("/marks/{rightId:guid}/exclusions", (Guid rightId, ExclusionsInput body, ScreeningAdmin admin, CancellationToken cancellationToken) => admin.SetExclusionsAsync(rightId, body, cancellationToken))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Phrases that contain the mark without infringing it (\"apple pie\"); the right's owner only.");
        return app;
    }
}
