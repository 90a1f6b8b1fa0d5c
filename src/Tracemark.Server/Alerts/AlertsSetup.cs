using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Alerts;

public static class AlertsSetup
{
    public static WebApplicationBuilder AddAlerts(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AlertStore>();
        builder.Services.AddSingleton<Platform.Demo.IDemoSeeder, AlertsDemo>();
        builder.Services.AddNavigation("/alerts", "nav.alerts", "read", 20);
        return builder;
    }

    public static WebApplication MapAlerts(this WebApplication app)
    {
        var alerts = app.MapGroup("/api/v1/alerts").WithTags("Alerts");
        alerts.MapGet("/", ([AsParameters] AlertFilter filter, AlertStore store, CancellationToken cancellationToken) => store.ListAsync(filter, cancellationToken))
            .WithSummary("Alerts the caller may see, newest first, by cursor.");
        alerts.MapGet("/{id:guid}", (Guid id, AlertStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One alert; 404 when it does not exist or the caller may not see it.");
        alerts.MapPost("/", async (NewAlert body, AlertStore store, CancellationToken cancellationToken) =>
        {
            var alert = await store.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/alerts/{alert.Id}", alert);
        }).RequireAuthorization(Policies.Writer).WithSummary("Create an alert (distribution defaults to organisation).");
        alerts.MapPatch("/{id:guid}", (Guid id, AlertChange body, AlertStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Change an alert the caller's organisation owns; its distribution may widen, never narrow.");
        return app;
    }
}
