using Npgsql;
using Tracemark.Server.Platform.Errors;

namespace Tracemark.Server.Platform.Health;

public static class HealthEndpoints
{
    /// <summary>200 {"status":"healthy"} when the database answers within two seconds; a 503 problem detail otherwise.</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", async (NpgsqlDataSource dataSource, Problems problems, HttpContext context, CancellationToken cancellationToken) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(timeout.Token);
                return Results.Json(new HealthStatus("healthy"));
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
            {
                var problem = problems.Create(context, StatusCodes.Status503ServiceUnavailable, "health.database_unavailable", []);
                problem.Extensions["health"] = "unhealthy";
                return Results.Problem(problem);
            }
        })
        .AllowAnonymous()
        .WithName("Health")
        .WithTags("Platform")
        .Produces<HealthStatus>()
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }
}

public sealed record HealthStatus(string Status);
